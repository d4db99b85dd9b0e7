"""Policies and users in a real browser: a customer managed policy through the validating editor; a user with an
access key (the secret shown once) and a virtual MFA device enabled with codes computed from the page's seed."""
from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from sandbox import mfa
from tests.browser.journey import screenshot
from tests.browser.journey import sign_in as _sign_in

pytestmark = pytest.mark.browser

BROKEN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}'
FIXED = BROKEN.replace('"Alow"', '"Allow"')
STEP = 30
NOW = STEP * 56_666_667 + 7


def _shot(page: Page, name: str) -> None:
    screenshot(page, f"{name}")




def test_create_policy_after_a_validation_error(page: Page, live_server, student):
    _sign_in(page, live_server)
    page.goto(live_server.url + reverse("console:policy-list"))
    page.get_by_label("Filter by Type").select_option(label="AWS managed")
    expect(page.get_by_test_id("policy-row").first).to_contain_text("AdministratorAccess")
    _shot(page, "policies-list")
    page.get_by_role("link", name="Create policy").click()

    editor = page.get_by_label("Policy editor")
    editor.fill(BROKEN)
    # The live check answers while typing, without a reload, and keeps the text.
    expect(page.get_by_test_id("policy-findings")).to_contain_text("Errors: 1")
    page.get_by_label("Policy name").fill("S3GetObject")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_test_id("form-error").or_(page.get_by_text("MalformedPolicyDocument")).first).to_be_visible()
    expect(page.get_by_label("Policy editor")).to_have_value(BROKEN)
    expect(page.get_by_label("Policy name")).to_have_value("S3GetObject")
    _shot(page, "policies-create-validation-error")

    page.get_by_role("button", name="Go to line 1").first.click()
    page.get_by_label("Policy editor").fill(FIXED)
    expect(page.get_by_test_id("policy-findings")).to_contain_text("Errors: 0")
    page.get_by_role("button", name="Create policy").click()

    expect(page.get_by_role("heading", name="S3GetObject", level=1)).to_be_visible()
    expect(page.get_by_test_id("policy-type")).to_have_text("Customer managed")
    expect(page.get_by_test_id("policy-document")).to_contain_text('"Effect": "Allow"')
    page.get_by_role("tab", name="Policy versions").click()
    expect(page.get_by_test_id("policy-version")).to_have_count(1)
    _shot(page, "policies-created")


def test_user_with_access_key_and_mfa_device(page: Page, live_server, student, monkeypatch):
    monkeypatch.setattr(mfa, "totp_now", lambda: NOW)
    _sign_in(page, live_server)
    page.goto(live_server.url + reverse("console:user-list"))
    page.get_by_role("link", name="Create user").click()
    page.get_by_label("User name").fill("bob")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", name="bob", level=1)).to_be_visible()

    page.get_by_role("tab", name="Security credentials").click()
    expect(page.get_by_role("tab", name="Security credentials")).to_have_attribute("aria-selected", "true")
    page.get_by_role("link", name="Create access key").click()
    page.get_by_role("button", name="Create access key").click()
    secret = page.get_by_test_id("secret-access-key").inner_text()
    key_id = page.get_by_test_id("access-key-id").inner_text()
    assert len(secret) == 40
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download .csv file").click()
    download = download_info.value
    assert download.suggested_filename == "bob_accessKeys.csv"
    assert Path(download.path()).read_bytes().decode("utf-8-sig") == (
        f"Access key ID,Secret access key\r\n{key_id},{secret}\r\n")
    _shot(page, "users-access-key-secret-once")

    page.reload()
    expect(page.get_by_test_id("secret-not-available")).to_be_visible()
    expect(page.get_by_text(secret)).to_have_count(0)
    _shot(page, "users-access-key-after-reload")

    page.get_by_role("link", name="Return to user").click()
    page.get_by_role("link", name="Assign MFA device").click()
    page.get_by_label("Device name").fill("bob-phone")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("mfa-qr")).to_be_visible()
    page.get_by_text("Show secret key").click()
    seed = page.get_by_test_id("mfa-seed").inner_text()
    totp = pyotp.TOTP(seed)
    _shot(page, "users-mfa-qr-code")

    page.get_by_label("MFA code 1").fill("000000")
    page.get_by_label("MFA code 2").fill("000000")
    page.get_by_role("button", name="Add MFA").click()
    expect(page.get_by_text("InvalidAuthenticationCode")).to_be_visible()
    expect(page.get_by_test_id("mfa-qr")).to_be_visible()

    page.get_by_label("MFA code 1").fill(totp.at(NOW - STEP))
    page.get_by_label("MFA code 2").fill(totp.at(NOW))
    page.get_by_role("button", name="Add MFA").click()
    expect(page.get_by_text("MFA device assigned.")).to_be_visible()
    expect(page.get_by_test_id("mfa-devices")).to_contain_text("mfa/bob-phone")
    _shot(page, "users-mfa-assigned")

    # Actions on the tab swap only the tabs (htmx follows the action's redirect): no page load.
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name=f"Deactivate {key_id}").click()
    expect(page.get_by_text(f"Access key {key_id} deactivated.")).to_be_visible()
    expect(page.get_by_test_id("access-keys")).to_contain_text("Inactive")
    assert page.evaluate("window.__sameDocument === true")
    _shot(page, "users-access-key-deactivated")

    page.goto(live_server.url + reverse("console:user-list"))
    expect(page.get_by_test_id("user-row").filter(has_text="bob")).to_contain_text("Yes")
    _shot(page, "users-list")
