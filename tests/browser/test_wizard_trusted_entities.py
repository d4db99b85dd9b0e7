"""The create-role wizard in a real browser, once per trusted entity type, and once without JavaScript.

Each test checks the trust policy previewed in step 1, creates the role, and asserts the trust policy on the role's
page (`data-testid="trust-policy"`) and in IAM; each saves a screenshot under `.run/screenshots/`.
"""
from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sandbox import provisioning
from sandbox.api import iam_call
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / ".run" / "screenshots"
PASSWORD = "correct-horse-battery"
OTHER_ACCOUNT = "111122223333"
GITHUB = "token.actions.githubusercontent.com"


def _screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"wizard-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _policy(statement: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [statement]}


def _sign_in_and_open_wizard(page: Page, base: str) -> None:
    page.set_default_timeout(10_000)
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity-arn")).to_contain_text(":user/student1")
    page.get_by_role("link", name="Roles", exact=True).first.click()
    page.get_by_role("link", name="Create role").click()
    expect(page.get_by_role("heading", name="Select trusted entity", level=1)).to_be_visible()


def _expect_preview(page: Page, expected: dict) -> None:
    expect(page.get_by_test_id("trust-policy-preview")).to_have_text(json.dumps(expected, indent=4))


def _next_to_review(page: Page) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Add permissions", level=1)).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Name, review, and create", level=1)).to_be_visible()


def _create_and_check(page: Page, identity, role_name: str, expected: dict) -> None:
    page.get_by_label("Role name").fill(role_name)
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("heading", name=role_name, level=1)).to_be_visible()
    expect(page.get_by_text(f"Role {role_name} created.")).to_be_visible()
    trust_tab = page.get_by_role("tab", name="Trust relationships")
    if trust_tab.count():
        trust_tab.click()
    expect(page.get_by_test_id("trust-policy")).to_be_visible()
    shown = page.get_by_test_id("trust-policy").inner_text()
    assert json.loads(shown) == expected
    stored = iam_call(identity, "GetRole", {"RoleName": role_name})["Role"]["AssumeRolePolicyDocument"]
    assert urllib.parse.unquote(stored) == json.dumps(expected, indent=4)


def test_aws_service_ecs_task_with_a_policy_and_a_tag(page: Page, live_server, student):
    identity = provisioning.learner_identity(user=student)
    expected = _policy({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole"})
    _sign_in_and_open_wizard(page, live_server.url)
    expect(page.get_by_role("radio", name="AWS service")).to_be_checked()
    page.get_by_label("Service or use case").select_option(label="Elastic Container Service")
    expect(page.get_by_role("radio", name="Elastic Container Service Task")).to_be_checked()
    _expect_preview(page, expected)
    page.wait_for_timeout(1000)  # no later preview request may overwrite it (the form's own trigger skips `service`)
    _expect_preview(page, expected)
    page.get_by_role("button", name="Next").click()

    page.get_by_label("Search policies").fill("AmazonS3Read")
    expect(page.get_by_role("checkbox", name="AmazonS3ReadOnlyAccess")).to_be_visible()
    expect(page.get_by_role("checkbox", name="ReadOnlyAccess", exact=True)).to_have_count(0)
    page.get_by_role("checkbox", name="AmazonS3ReadOnlyAccess").check()
    expect(page.get_by_test_id("policy-selection")).to_contain_text("AmazonS3ReadOnlyAccess")
    page.get_by_label("Search policies").fill("")
    expect(page.get_by_role("checkbox", name="AmazonS3ReadOnlyAccess")).to_be_checked()
    _screenshot(page, "aws-service-permissions")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_test_id("permissions-summary")).to_contain_text("AmazonS3ReadOnlyAccess")
    page.get_by_role("button", name="Add tag").click()
    page.get_by_label("Key").fill("team")
    page.get_by_label("Value - optional").fill("containers")
    _screenshot(page, "aws-service-review")
    _create_and_check(page, identity, "EcsTaskRole", expected)
    _screenshot(page, "aws-service")
    attached = iam_call(identity, "ListAttachedRolePolicies", {"RoleName": "EcsTaskRole"})["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonS3ReadOnlyAccess"]
    assert iam_call(identity, "GetRole", {"RoleName": "EcsTaskRole"})["Role"]["Tags"] == [
        {"Key": "team", "Value": "containers"}]


def test_aws_account_another_account_with_external_id_and_mfa(page: Page, live_server, student):
    identity = provisioning.learner_identity(user=student)
    expected = _policy({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"},
                      "Bool": {"aws:MultiFactorAuthPresent": "true"}},
    })
    _sign_in_and_open_wizard(page, live_server.url)
    page.get_by_role("radio", name="AWS account").check()
    page.get_by_role("radio", name="Another AWS account").check()
    page.get_by_label("Account ID").fill("12345")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("The account ID must be 12 digits.")).to_be_visible()
    expect(page.get_by_label("Account ID")).to_have_value("12345")

    page.get_by_label("Account ID").fill(OTHER_ACCOUNT)
    expect(page.get_by_text("The account ID must be 12 digits.")).to_have_count(0)  # editing clears the old error
    page.get_by_label("Require external ID").check()
    page.get_by_label("External ID", exact=True).fill("partner-42")
    page.get_by_label("Require MFA").check()
    _expect_preview(page, expected)
    _screenshot(page, "aws-account-step1")
    _next_to_review(page)
    _create_and_check(page, identity, "PartnerRole", expected)
    _screenshot(page, "aws-account")


def test_web_identity_with_the_accounts_oidc_provider(page: Page, live_server, student):
    identity = provisioning.learner_identity(user=student)
    arn = iam_call(identity, "CreateOpenIDConnectProvider", {
        "Url": f"https://{GITHUB}", "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": ["a" * 40]},
    )["OpenIDConnectProviderArn"]
    expected = _policy({"Effect": "Allow", "Principal": {"Federated": arn},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}})
    _sign_in_and_open_wizard(page, live_server.url)
    page.get_by_role("radio", name="Web identity").check()
    page.get_by_label("Identity provider").select_option(label=GITHUB)
    page.get_by_label("Audience").fill("sts.amazonaws.com")
    _expect_preview(page, expected)
    _screenshot(page, "web-identity-step1")
    _next_to_review(page)
    _create_and_check(page, identity, "GitHubActionsRole", expected)
    _screenshot(page, "web-identity")


def test_saml_federation_with_console_access(page: Page, live_server, student):
    identity = provisioning.learner_identity(user=student)
    arn = iam_call(identity, "CreateSAMLProvider", {
        "Name": "CorpIdP", "SAMLMetadataDocument": "<EntityDescriptor>" + "x" * 1000 + "</EntityDescriptor>"},
    )["SAMLProviderArn"]
    expected = _policy({"Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithSAML",
                        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}})
    _sign_in_and_open_wizard(page, live_server.url)
    page.get_by_role("radio", name="SAML 2.0 federation").check()
    page.get_by_label("SAML 2.0-based provider").select_option(label="CorpIdP")
    page.get_by_role("radio", name="Allow programmatic access only").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Programmatic access needs at least one condition")).to_be_visible()

    page.get_by_role("radio", name="Allow programmatic and AWS Management Console access").check()
    _expect_preview(page, expected)
    _screenshot(page, "saml-step1")
    _next_to_review(page)
    _create_and_check(page, identity, "CorpFederatedRole", expected)
    _screenshot(page, "saml")


def test_custom_trust_policy_with_live_validation(page: Page, live_server, student):
    identity = provisioning.learner_identity(user=student)
    broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
    expected = _policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole"})
    _sign_in_and_open_wizard(page, live_server.url)
    page.get_by_role("radio", name="Custom trust policy").check()
    editor = page.get_by_label("Trust policy", exact=True)
    editor.fill(broken)
    findings = page.get_by_test_id("trust-findings")
    expect(findings).to_contain_text("JSON_SYNTAX_ERROR")
    expect(findings).to_contain_text("Ln 4, Col 1")
    expect(editor).to_have_value(broken)
    _screenshot(page, "custom-errors")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Fix the errors in the trust policy first")).to_be_visible()
    expect(page.get_by_label("Trust policy", exact=True)).to_have_value(broken)

    page.get_by_label("Trust policy", exact=True).fill(json.dumps(expected, indent=4))
    expect(findings).to_contain_text("No errors or warnings")
    _next_to_review(page)
    review_editor = page.get_by_label("Trust policy", exact=True)
    expect(review_editor).to_have_value(json.dumps(expected, indent=4))
    review_editor.fill(json.dumps(expected, indent=4).replace('"Allow"', '"Alow"'))
    expect(page.get_by_test_id("trust-findings")).to_contain_text("INVALID_EFFECT")
    review_editor.fill(json.dumps(expected, indent=4))
    expect(page.get_by_test_id("trust-findings")).to_contain_text("No errors or warnings")
    _create_and_check(page, identity, "CustomLambdaRole", expected)
    _screenshot(page, "custom")


def test_the_wizard_works_without_javascript(browser: Browser, live_server, student):
    identity = provisioning.learner_identity(user=student)
    expected = _policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in_and_open_wizard(page, live_server.url)
        _expect_preview(page, expected)
        page.get_by_role("button", name="Next").click()
        page.get_by_label("Search policies").fill("ReadOnlyAccess")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("checkbox", name="ReadOnlyAccess", exact=True).check()
        page.get_by_role("button", name="Next").click()
        page.get_by_label("Role name").fill("NoScriptRole")
        page.get_by_role("button", name="Add tag").click()
        expect(page.get_by_label("Role name")).to_have_value("NoScriptRole")
        page.get_by_label("Key").fill("made-without")
        page.get_by_label("Value - optional").fill("javascript")
        page.get_by_role("button", name="Previous").click()
        expect(page.get_by_role("checkbox", name="ReadOnlyAccess", exact=True)).to_be_checked()
        page.get_by_role("button", name="Next").click()
        # The POST's page must be there before reloading it (a reload during the navigation has no page to reload).
        expect(page.get_by_label("Role name")).to_have_value("NoScriptRole")
        page.reload()
        expect(page.get_by_label("Role name")).to_have_value("NoScriptRole")
        expect(page.get_by_label("Key")).to_have_value("made-without")
        _create_and_check(page, identity, "NoScriptRole", expected)
        _screenshot(page, "no-javascript")
        profile = iam_call(identity, "GetInstanceProfile", {"InstanceProfileName": "NoScriptRole"})
        assert [r["RoleName"] for r in profile["InstanceProfile"]["Roles"]] == ["NoScriptRole"]
    finally:
        context.close()
