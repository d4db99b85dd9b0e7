"""The SAML federation lab in a real browser: start it, create the role in the wizard's SAML 2.0 federation path,
sign in to the console as alice through the corporate portal, use her assertion with the AWS CLI, and see 7/7."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sandbox.provisioning import sandbox_provision
from tests.sts.test_aws_cli import run_aws

# Until the lead includes them in config/urls.py, this test mounts the federation URLs itself.
pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_saml_lab_in_the_wizard_the_portal_and_the_cli(page: Page, live_server, celery_worker_process, student,
                                                       catalog, tmp_path):
    celery_worker_process.start()
    account = sandbox_provision(user=student).accounts.get(is_home=True).account_id
    role_arn = f"arn:aws:iam::{account}:role/SamlDeveloperRole"
    provider_arn = f"arn:aws:iam::{account}:saml-provider/CorpIdP"
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/signin/")
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/labs/saml-federation/")
    page.get_by_role("button", name="Start lab").click()
    expect(page.get_by_text("The lab is ready in your sandbox.")).to_be_visible()

    page.goto(f"{live_server.url}/console/")
    page.get_by_role("link", name="Roles", exact=True).first.click()
    page.get_by_role("link", name="Create role").click()
    page.get_by_role("radio", name="SAML 2.0 federation").check()
    page.get_by_label("SAML 2.0-based provider").select_option(label="CorpIdP")
    page.get_by_role("radio", name="Allow programmatic and AWS Management Console access").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Search policies").fill("ReadOnlyAccess")
    page.get_by_role("checkbox", name="ReadOnlyAccess", exact=True).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Role name").fill("SamlDeveloperRole")
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("heading", name="SamlDeveloperRole", level=1)).to_be_visible()

    page.goto(f"{live_server.url}/federation/portal/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the SAML assertion of alice for SamlDeveloperRole").click()
    assertion = Path(download.value.path()).read_text()
    page.get_by_role("button", name="Sign in to the AWS console as alice with SamlDeveloperRole").click()
    expect(page.get_by_test_id("identity-arn")).to_have_text(
        f"arn:aws:sts::{account}:assumed-role/SamlDeveloperRole/alice@corp.example")

    (tmp_path / "assertion.b64").write_text(assertion)
    endpoint = f"{live_server.url}/aws"
    answer = run_aws(tmp_path, endpoint, "sts", "assume-role-with-saml", "--role-arn", role_arn,
                     "--principal-arn", provider_arn, "--saml-assertion", f"file://{tmp_path / 'assertion.b64'}")
    assert answer.returncode == 0, answer.stderr
    credentials = json.loads(answer.stdout)["Credentials"]
    caller = run_aws(tmp_path, endpoint, "sts", "get-caller-identity", AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
                     AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
                     AWS_SESSION_TOKEN=credentials["SessionToken"])
    assert caller.returncode == 0, caller.stderr

    page.goto(f"{live_server.url}/labs/saml-federation/")
    page.get_by_role("button", name="Check my progress").click()
    expect(page.get_by_test_id("score")).to_have_text("7/7", timeout=60_000)
    expect(page.locator('[data-check="signed-in-to-the-console"]')).to_contain_text("Passed")
