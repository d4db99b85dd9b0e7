"""Switch role in a real browser: by the menu to dev's OrganizationAccountAccessRole and back, with the role history,
then by AWS's switch-role link, which opens the form prefilled."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sandbox.models import Account
from tests.browser.journey import screenshot

pytestmark = pytest.mark.browser

ROLE = "OrganizationAccountAccessRole"


def _open_account_menu(page: Page) -> None:
    page.get_by_test_id("account-menu").locator("summary").click()


def test_switch_to_dev_and_back(page: Page, live_server, student):
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity-arn")).to_contain_text(":user/student1")
    home_id = Account.objects.get(sandbox__owner=student, is_home=True).account_id
    dev_id = Account.objects.get(sandbox__owner=student, alias="dev").account_id

    _open_account_menu(page)
    page.get_by_role("link", name="Switch role").click()
    page.get_by_label("Account ID").fill("dev")
    page.get_by_label("IAM role name").fill(ROLE)
    page.get_by_label("Display name").fill("Dev admin")
    page.get_by_label("Display color").select_option(label="Green")
    screenshot(page, "switch-role-1-form")
    page.get_by_role("button", name="Switch role").click()

    expect(page.get_by_test_id("active-role")).to_have_text("Dev admin")
    expect(page.get_by_test_id("identity-arn")).to_have_text(f"arn:aws:sts::{dev_id}:assumed-role/{ROLE}/student1")
    screenshot(page, "switch-role-2-switched")

    page.get_by_role("link", name="Roles", exact=True).first.click()
    page.get_by_role("link", name=ROLE, exact=True).click()
    expect(page.get_by_text(f"arn:aws:iam::{dev_id}:role/{ROLE}", exact=True)).to_be_visible()

    _open_account_menu(page)
    page.get_by_role("button", name="Switch back to student1").click()
    expect(page.get_by_test_id("identity-arn")).to_have_text(f"arn:aws:iam::{home_id}:user/student1")
    expect(page.get_by_test_id("active-role")).to_have_count(0)

    _open_account_menu(page)
    expect(page.get_by_text("Role history")).to_be_visible()
    expect(page.get_by_role("button", name="Dev admin")).to_be_visible()
    screenshot(page, "switch-role-3-back-with-history")

    # AWS's link format at the site root: the form opens prefilled, and one click switches.
    page.goto(f"{live_server.url}/switchrole?account={dev_id}&roleName={ROLE}&displayName=From%20a%20link&color=FBC8AA")
    expect(page.get_by_label("Account ID")).to_have_value(dev_id)
    expect(page.get_by_label("IAM role name")).to_have_value(ROLE)
    expect(page.get_by_label("Display name")).to_have_value("From a link")
    expect(page.get_by_label("Display color")).to_have_value("orange")
    screenshot(page, "switch-role-4-link-prefilled")
    page.get_by_role("button", name="Switch role").click()
    expect(page.get_by_test_id("active-role")).to_have_text("From a link")
