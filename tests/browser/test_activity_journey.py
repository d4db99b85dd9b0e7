"""A denied action, found in the event history, its CloudTrail JSON opened, and the same denial explained by the
policy simulator, in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sandbox import provisioning
from tests.browser.journey import screenshot
from tests.browser.journey import sign_in as _sign_in
from tests.console.activity_helpers import AUDITOR_POLICY, home_role

pytestmark = pytest.mark.browser





def _switch_to_auditor(page: Page, live_server, account_id: str) -> None:
    page.goto(f"{live_server.url}/console/switchrole/")
    page.get_by_label("Account ID").fill(account_id)
    page.get_by_label("IAM role name").fill("Auditor")
    page.get_by_label("Display name").fill("Auditor")
    page.get_by_role("button", name="Switch role").click()
    expect(page.get_by_test_id("active-role")).to_have_text("Auditor")


def test_denied_action_to_event_history_to_policy_simulator(page: Page, live_server, student):
    page.set_default_timeout(10_000)
    home_role(student, "Auditor", AUDITOR_POLICY)
    account_id = provisioning.learner_identity(user=student).account_id
    _sign_in(page, live_server)
    _switch_to_auditor(page, live_server, account_id)

    # 1. A denied action in the console: the Auditor role may not read role details (explicit deny).
    page.goto(f"{live_server.url}/console/iam/roles/details/Auditor/")
    expect(page.get_by_test_id("access-denied")).to_contain_text("iam:GetRole")
    screenshot(page, "activity-1-denied-action")

    # 2. The event history shows it: filter to errors only (htmx refreshes the table in place).
    page.goto(f"{live_server.url}/console/cloudtrail/events/")
    expect(page.get_by_role("heading", name="Event history", level=1)).to_be_visible()
    page.get_by_label("Only events with errors").check()
    expect(page.get_by_test_id("event-count")).to_have_text("1 event")
    row = page.get_by_role("row").filter(has_text="GetRole")
    expect(row).to_contain_text("AccessDenied")
    expect(row).to_contain_text("student1")
    expect(page).to_have_url(f"{live_server.url}/console/cloudtrail/events/?attribute=EventName&value=&range="
                             "&start=&end=&errors_only=on")
    screenshot(page, "activity-2-event-history")

    # 3. Open its CloudTrail record (loaded below the table without a reload).
    row.get_by_role("link", name="GetRole").click()
    record = page.get_by_test_id("event-record")
    expect(record).to_contain_text('"errorCode": "AccessDenied"')
    expect(record).to_contain_text('"eventName": "GetRole"')
    expect(record).to_contain_text("with an explicit deny in an identity-based policy")
    expect(page.get_by_role("heading", name="Event history", level=1)).to_be_visible()  # still the same page
    page.get_by_test_id("event-record").scroll_into_view_if_needed()
    screenshot(page, "activity-3-event-record")

    # 4. The policy simulator, opened from the event, explains the same denial.
    page.get_by_test_id("simulate-event").click()
    expect(page.get_by_label("User or role", exact=True)).to_have_value("role:Auditor")
    expect(page.get_by_label("Actions", exact=True)).to_have_value("iam:GetRole")
    page.get_by_role("button", name="Add context key").click()  # htmx: the form comes back with one more row
    expect(page.get_by_label("Context key 2")).to_be_visible()
    expect(page.get_by_label("Context key 1")).to_have_value("aws:SourceIp")
    page.get_by_role("button", name="Run Simulation").click()
    result = page.get_by_test_id("simulation-result")
    expect(result.get_by_test_id("decision")).to_have_text("explicitly denied")
    expect(result.get_by_test_id("explanation")).to_contain_text(
        "statement NoRoleDetails in the identity-based policy AuditorPolicy denies it")
    marked = result.locator("mark.stmt-decisive")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text('"Sid": "NoRoleDetails"')
    marked.scroll_into_view_if_needed()
    screenshot(page, "activity-4-policy-simulator")


def test_cli_access_copy_buttons_appear_with_javascript(page: Page, live_server, student):
    page.set_default_timeout(10_000)
    home_role(student, "Partner", None, {"StringEquals": {"sts:ExternalId": "partner-42"}})
    _sign_in(page, live_server)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/console/iam/cli-access/")
    config = page.get_by_test_id("cli-config")
    expect(config).to_contain_text("[profile dev]")
    expect(config).to_contain_text("external_id = partner-42")
    copy = page.locator("button[data-copy=cli-config]")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("Copied")
    assert "[profile Partner]" in page.evaluate("navigator.clipboard.readText()")
    screenshot(page, "activity-5-cli-access")
