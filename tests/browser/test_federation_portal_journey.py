"""SAML console federation in a real browser: the corporate portal signs alice in to the console as a role."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from sandbox.api import iam_call
from sandbox.federation import issue, services
from sandbox.provisioning import home_identity, sandbox_provision
from tests.browser.journey import screenshot, sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def company(student):
    """student1's sandbox with CorpIdP in IAM, a read-only Developer role trusting it, and alice in developers."""
    sandbox = sandbox_provision(user=student)
    admin = home_identity(sandbox)
    provider_arn = f"arn:aws:iam::{admin.account_id}:saml-provider/CorpIdP"
    metadata = issue.saml_metadata_get(sandbox=sandbox, sso_url="https://portal.example/sso").decode()
    iam_call(admin, "CreateSAMLProvider", {"Name": "CorpIdP", "SAMLMetadataDocument": metadata})
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
    iam_call(admin, "CreateRole", {"RoleName": "Developer", "AssumeRolePolicyDocument": json.dumps(trust)})
    role_arn = f"arn:aws:iam::{admin.account_id}:role/Developer"
    services.role_mapping_create(sandbox=sandbox, group="developers", role_arn=role_arn, provider_arn=provider_arn)
    services.directory_user_create(sandbox=sandbox, name="alice", email="alice@corp.example", groups=["developers"])
    return admin.account_id


def test_portal_signs_alice_in_to_the_console_as_the_federated_role(page: Page, live_server, company):
    page.set_default_timeout(10_000)
    sign_in(page, live_server)

    page.goto(f"{live_server.url}/federation/portal/")
    expect(page.get_by_test_id("directory-user-alice")).to_contain_text("Developer")
    screenshot(page, "federation-1-portal")
    page.get_by_role("button", name="Sign in to the AWS console as alice with Developer").click()

    expect(page.get_by_test_id("active-role")).to_have_text("Developer/alice@corp.example")
    expect(page.get_by_test_id("identity-arn")).to_have_text(
        f"arn:aws:sts::{company}:assumed-role/Developer/alice@corp.example")
    screenshot(page, "federation-2-console-as-federated-role")

    # A federated session has no "Switch back": the account menu offers leaving it instead.
    page.get_by_test_id("account-menu").locator("summary").click()
    expect(page.get_by_role("button", name="Switch back to student1")).to_have_count(0)
    page.get_by_role("button", name="Leave the federated session").click()
    expect(page.get_by_test_id("identity-arn")).to_contain_text(":user/student1")
