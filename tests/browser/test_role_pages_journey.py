"""The role page in a real browser: edit the trust policy (diff, save), attach a policy, tag, delete a role."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journey import screenshot
from tests.browser.journey import sign_in as _sign_in
from tests.console.role_pages_helpers import attached, get_role, identity, make_role, role_names

pytestmark = pytest.mark.browser

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


def _shot(page: Page, name: str) -> None:
    screenshot(page, f"role-pages-{name}")




def test_role_page_journey(page: Page, live_server, student):
    page.set_default_timeout(10_000)
    make_role(student, "JourneyRole")
    make_role(student, "DoomedRole")
    account_id = identity(student).account_id
    _sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/console/iam/roles/")
    page.get_by_role("link", name="JourneyRole", exact=True).click()
    expect(page.get_by_role("heading", name="JourneyRole", level=1)).to_be_visible()

    # ARIA tabs: the arrow key moves to the next tab and shows its panel.
    page.get_by_role("tab", name="Permissions").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Trust relationships")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("trust-policy")).to_be_visible()

    # Trust relationships: edit, review the diff, update.
    page.get_by_role("link", name="Edit trust policy").click()
    editor = page.get_by_label("Trust policy")
    proposed = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}}}]}, indent=4)
    editor.fill(proposed)
    page.get_by_role("button", name="Review changes").click()
    diff = page.get_by_test_id("trust-diff")
    expect(diff).to_contain_text("partner-42")
    expect(diff.locator(".rp-diff-added").first).to_be_visible()
    _shot(page, "trust-diff")
    page.get_by_role("button", name="Update policy").click()
    expect(page.get_by_text("Trust policy updated.")).to_be_visible()
    assert "partner-42" in get_role(student, "JourneyRole")["AssumeRolePolicyDocument"]

    # Permissions: Add permissions > Attach policies, with the search.
    page.get_by_role("tab", name="Permissions").click()
    page.locator("summary", has_text="Add permissions").click()
    page.get_by_role("link", name="Attach policies").click()
    page.get_by_label("Search").fill("s3read")
    expect(page.locator("#policy-picker")).to_contain_text("Showing 1 of 1")
    page.get_by_label("AmazonS3ReadOnlyAccess").check()
    _shot(page, "attach-policies")
    page.get_by_role("button", name="Add permissions").click()
    expect(page.get_by_text("Policy was successfully attached to role.")).to_be_visible()
    expect(page.get_by_test_id("role-policies")).to_contain_text("AmazonS3ReadOnlyAccess")
    assert attached(student, "JourneyRole") == [S3_READ]

    # Tags: Manage tags, one tag, save.
    page.get_by_role("tab", name="Tags").click()
    page.get_by_role("link", name="Manage tags").click()
    page.get_by_label("Key 1").fill("team")
    page.get_by_label("Value 1").fill("blue")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_label("Key 2")).to_be_visible()
    page.get_by_role("button", name="Save changes").last.click()
    expect(page.get_by_text("Tags saved.")).to_be_visible()
    expect(page.get_by_test_id("role-tags")).to_contain_text("team")
    _shot(page, "tags")
    assert get_role(student, "JourneyRole")["Tags"] == [{"Key": "team", "Value": "blue"}]

    # Delete a role from the table: the dialog asks for its name.
    page.get_by_role("link", name="Roles", exact=True).first.click()
    page.get_by_label("Select DoomedRole").check()
    page.get_by_test_id("delete-roles").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete DoomedRole?")
    confirmation = dialog.get_by_label("To confirm deletion, enter the role name in the text input field.")
    confirmation.fill("doomedrole")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("Enter the role name to confirm the deletion.")
    page.get_by_role("dialog").get_by_role("textbox").fill("DoomedRole")
    _shot(page, "delete-dialog")
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Role DoomedRole deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="DoomedRole", exact=True)).to_have_count(0)
    _shot(page, "role-list")
    assert "DoomedRole" not in role_names(student)
