"""The slice in a real browser: sign in, create a role, check the lab, see the grade (real worker, real Redis)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TRUST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", ' \
        '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'


def test_sign_in_create_role_and_check_progress(page: Page, live_server, celery_worker_process, student, catalog):
    celery_worker_process.start()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")

    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity-arn")).to_contain_text(":user/student1")

    page.get_by_role("link", name="Roles", exact=True).first.click()
    page.get_by_role("link", name="Create role").click()
    # The create-role wizard, Custom trust policy path: step 1 validates the policy as it is typed.
    page.get_by_role("radio", name="Custom trust policy").check()
    page.get_by_label("Trust policy", exact=True).fill('{"Version": "2012-10-17", "Statement": [')
    expect(page.get_by_test_id("trust-findings")).to_contain_text("JSON_SYNTAX_ERROR")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Fix the errors in the trust policy first")).to_be_visible()
    expect(page.get_by_label("Trust policy", exact=True)).to_have_value('{"Version": "2012-10-17", "Statement": [')

    page.get_by_label("Trust policy", exact=True).fill(TRUST)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Add permissions", level=1)).to_be_visible()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Role name").fill("FirstEc2Role")
    expect(page.get_by_label("Trust policy", exact=True)).to_have_value(TRUST)
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("heading", name="FirstEc2Role", level=1)).to_be_visible()
    expect(page.get_by_test_id("trust-policy")).to_contain_text("ec2.amazonaws.com")

    page.get_by_role("link", name="Labs").first.click()
    page.get_by_role("link", name="Create your first role").first.click()
    page.get_by_role("button", name="Check my progress").click()
    expect(page.get_by_test_id("score")).to_have_text("4/4", timeout=60_000)
    expect(page.locator('[data-check="only-ec2"]')).to_contain_text("Passed")
