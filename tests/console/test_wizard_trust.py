"""Create-role wizard step 1 "Select trusted entity": every type's exact trust policy, its options and their errors."""
from __future__ import annotations

import html
import json

import pytest

from console.services.wizard_trust import CUSTOM_TEMPLATE, SAML_CONSOLE_AUDIENCE
from sandbox import provisioning
from sandbox.api import iam_call
from tests.console.wizard_helpers import (
    HTMX,
    document_of,
    post_entity,
    post_permissions,
    post_review,
    step_url,
    trust_text,
    wizard_open,
    wizard_state,
)

OTHER_ACCOUNT = "111122223333"
GITHUB = "token.actions.githubusercontent.com"


@pytest.fixture
def account_id(student):
    return provisioning.learner_identity(user=student).account_id


@pytest.fixture
def identity(student):
    return provisioning.learner_identity(user=student)


@pytest.fixture
def wizard(student_client):
    return wizard_open(student_client)


def _generated(client, wizard_id, **fields) -> str:
    response = post_entity(client, wizard_id, **fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == step_url(wizard_id, "permissions")
    return wizard_state(client, wizard_id)["trust_policy"]


def _service(principal: str) -> dict:
    return {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}


def _web(principal: str, key: str, audience: str) -> dict:
    return {"Effect": "Allow", "Principal": {"Federated": principal}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {key: audience}}}


def _saml(provider_arn: str, equals: dict) -> dict:
    return {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": equals}}


def _oidc_provider(identity, audiences=("sts.amazonaws.com",)) -> str:
    answer = iam_call(identity, "CreateOpenIDConnectProvider", {
        "Url": f"https://{GITHUB}", "ClientIDList": list(audiences), "ThumbprintList": ["a" * 40]})
    return answer["OpenIDConnectProviderArn"]


def _saml_provider(identity, name="Okta") -> str:
    metadata = "<EntityDescriptor>" + "x" * 1000 + "</EntityDescriptor>"
    return iam_call(identity, "CreateSAMLProvider", {"Name": name, "SAMLMetadataDocument": metadata})[
        "SAMLProviderArn"]


@pytest.mark.django_db
class TrustedEntityPageTests:
    def test_full_page_starts_on_aws_service_ec2_with_its_trust_policy(self, student_client, wizard):
        page = student_client.get(step_url(wizard, "entity")).content.decode()
        assert "<html" in page
        assert "{#" not in page and "{%" not in page
        assert 'id="entity-aws_service" aria-describedby="entity-aws_service-description" checked' in page
        assert 'id="use-case-ec2" aria-describedby="use-case-ec2-description" checked' in page
        assert html.escape(trust_text(_service("ec2.amazonaws.com"))) in page

    def test_every_trusted_entity_type_is_offered_with_the_console_labels(self, student_client, wizard):
        page = student_client.get(step_url(wizard, "entity")).content.decode()
        for label in ("Trusted entity type", "AWS service", "AWS account", "Web identity", "SAML 2.0 federation",
                      "Custom trust policy", "This account", "Another AWS account", "Account ID",
                      "Require external ID", "External ID", "Require MFA", "Use case", "Next"):
            assert label in page, label

    def test_htmx_preview_is_only_the_preview_fragment(self, student_client, wizard):
        response = post_entity(student_client, wizard, action="preview", headers=HTMX, entity_type="aws_account",
                               account="this")
        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in page
        assert page.strip().startswith('<section id="trust-preview"')
        assert "sts:AssumeRole" in page

    def test_htmx_preview_of_incomplete_options_says_what_is_missing_without_errors(self, student_client, wizard):
        response = post_entity(student_client, wizard, action="preview", headers=HTMX, entity_type="aws_account",
                               account="other", account_id="")
        page = response.content.decode()
        assert 'data-testid="trust-policy-preview-empty"' in page
        assert "field-error" not in page

    def test_choosing_a_service_swaps_its_use_cases_and_the_preview_out_of_band(self, student_client, wizard):
        response = post_entity(student_client, wizard, action="service", headers=HTMX, entity_type="aws_service",
                               service="ecs", use_case="ec2")
        page = response.content.decode()
        assert page.strip().startswith('<div id="use-cases"')
        assert 'id="use-case-ecs-tasks" aria-describedby="use-case-ecs-tasks-description" checked' in page
        assert '<section id="trust-preview" class="panel trust-preview" aria-labelledby="trust-preview-heading" ' \
               'hx-swap-oob="true">' in page
        assert "ecs-tasks.amazonaws.com" in page

    def test_no_javascript_preview_renders_the_whole_page(self, student_client, wizard):
        response = post_entity(student_client, wizard, action="preview", entity_type="aws_service", service="lambda",
                               use_case="lambda")
        page = response.content.decode()
        assert "<html" in page
        assert html.escape(trust_text(_service("lambda.amazonaws.com"))) in page

    def test_a_missing_entity_type_is_an_error_in_the_page(self, student_client, wizard):
        response = post_entity(student_client, wizard)
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()

    def test_an_unknown_entity_type_is_an_error_not_a_500(self, student_client, wizard):
        response = post_entity(student_client, wizard, entity_type="root")
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()


SERVICE_PRINCIPALS = [
    ("ec2", "ec2", "ec2.amazonaws.com"),
    ("ec2", "ec2-ssm", "ec2.amazonaws.com"),
    ("ec2", "ec2-spot-fleet", "spotfleet.amazonaws.com"),
    ("lambda", "lambda", "lambda.amazonaws.com"),
    ("ecs", "ecs-tasks", "ecs-tasks.amazonaws.com"),
    ("ecs", "ecs-ec2", "ec2.amazonaws.com"),
    ("cloudformation", "cloudformation", "cloudformation.amazonaws.com"),
    ("config", "config", "config.amazonaws.com"),
    ("emr", "emr", "elasticmapreduce.amazonaws.com"),
    ("emr", "emr-ec2", "ec2.amazonaws.com"),
    ("apigateway", "apigateway", "apigateway.amazonaws.com"),
    ("codebuild", "codebuild", "codebuild.amazonaws.com"),
    ("glue", "glue", "glue.amazonaws.com"),
    ("states", "states", "states.amazonaws.com"),
]


@pytest.mark.django_db
class AwsServiceTests:
    @pytest.mark.parametrize(("service", "use_case", "principal"), SERVICE_PRINCIPALS,
                             ids=[case for _, case, _p in SERVICE_PRINCIPALS])
    def test_each_use_case_trusts_its_service_principal(self, student_client, wizard, service, use_case, principal):
        generated = _generated(student_client, wizard, entity_type="aws_service", service=service, use_case=use_case)
        assert generated == trust_text(_service(principal))

    def test_the_ec2_trust_policy_is_exactly_the_documented_one(self, student_client, wizard):
        generated = _generated(student_client, wizard, entity_type="aws_service", service="ec2", use_case="ec2")
        assert json.loads(generated) == {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}

    def test_a_use_case_of_another_service_is_refused(self, student_client, wizard):
        response = post_entity(student_client, wizard, entity_type="aws_service", service="lambda", use_case="ec2")
        assert response.status_code == 200
        assert "Choose a use case for the selected service." in response.content.decode()

    def test_a_use_case_with_suggested_policies_preselects_them(self, student_client, wizard):
        _generated(student_client, wizard, entity_type="aws_service", service="ec2", use_case="ec2-ssm")
        assert wizard_state(student_client, wizard)["policies"] == [
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]


@pytest.mark.django_db
class AwsAccountTests:
    def test_this_account_without_options_has_an_empty_condition(self, student_client, wizard, account_id):
        generated = _generated(student_client, wizard, entity_type="aws_account", account="this")
        assert generated == trust_text({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                                        "Action": "sts:AssumeRole", "Condition": {}})

    def test_another_account_with_external_id_and_mfa(self, student_client, wizard):
        generated = _generated(student_client, wizard, entity_type="aws_account", account="other",
                               account_id=OTHER_ACCOUNT, require_external_id="on", external_id="partner-42",
                               require_mfa="on")
        assert generated == trust_text({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"},
                          "Bool": {"aws:MultiFactorAuthPresent": "true"}}})

    def test_external_id_only(self, student_client, wizard):
        generated = _generated(student_client, wizard, entity_type="aws_account", account="other",
                               account_id=OTHER_ACCOUNT, require_external_id="on", external_id="Example:Corp/1")
        assert json.loads(generated)["Statement"][0]["Condition"] == {
            "StringEquals": {"sts:ExternalId": "Example:Corp/1"}}

    def test_mfa_only(self, student_client, wizard, account_id):
        generated = _generated(student_client, wizard, entity_type="aws_account", account="this", require_mfa="on")
        assert generated == trust_text({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                                        "Action": "sts:AssumeRole",
                                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})

    def test_an_unticked_external_id_is_ignored(self, student_client, wizard):
        generated = _generated(student_client, wizard, entity_type="aws_account", account="other",
                               account_id=OTHER_ACCOUNT, external_id="typed-but-not-required")
        assert json.loads(generated)["Statement"][0]["Condition"] == {}

    @pytest.mark.parametrize("bad", ["12345", "1111222233334", "11112222333a", "arn:aws:iam::111122223333:root"])
    def test_another_account_needs_12_digits_and_keeps_the_input(self, student_client, wizard, bad):
        response = post_entity(student_client, wizard, entity_type="aws_account", account="other", account_id=bad)
        page = response.content.decode()
        assert response.status_code == 200
        assert "The account ID must be 12 digits." in page
        assert f'value="{html.escape(bad)}"' in page

    def test_another_account_without_an_id_is_required(self, student_client, wizard):
        page = post_entity(student_client, wizard, entity_type="aws_account", account="other").content.decode()
        assert "This field is required." in page

    @pytest.mark.parametrize("bad", ["x", "has space", "semi;colon"])
    def test_external_id_rules(self, student_client, wizard, bad):
        response = post_entity(student_client, wizard, entity_type="aws_account", account="this",
                               require_external_id="on", external_id=bad)
        assert "The external ID must be 2 to 1,224 characters" in response.content.decode()

    def test_required_external_id_needs_a_value(self, student_client, wizard):
        response = post_entity(student_client, wizard, entity_type="aws_account", account="this",
                               require_external_id="on")
        assert "This field is required." in response.content.decode()


@pytest.mark.django_db
class WebIdentityTests:
    @pytest.mark.parametrize(("provider", "principal", "key"), [
        ("cognito", "cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud"),
        ("amazon", "www.amazon.com", "www.amazon.com:app_id"),
        ("facebook", "graph.facebook.com", "graph.facebook.com:app_id"),
        ("google", "accounts.google.com", "accounts.google.com:aud"),
    ])
    def test_built_in_providers(self, student_client, wizard, provider, principal, key):
        generated = _generated(student_client, wizard, entity_type="web_identity", web_provider=provider,
                               audience="app-1234")
        assert generated == trust_text(_web(principal, key, "app-1234"))

    def test_an_oidc_provider_of_the_account(self, student_client, wizard, identity):
        arn = _oidc_provider(identity)
        generated = _generated(student_client, wizard, entity_type="web_identity", web_provider=arn,
                               audience="sts.amazonaws.com")
        assert generated == trust_text(_web(arn, f"{GITHUB}:aud", "sts.amazonaws.com"))

    def test_the_accounts_oidc_providers_are_listed_with_their_audiences(self, student_client, wizard, identity):
        arn = _oidc_provider(identity, audiences=("sts.amazonaws.com", "my-client"))
        page = student_client.get(step_url(wizard, "entity")).content.decode()
        assert f'<option value="{arn}">{GITHUB}</option>' in page
        assert '<option value="my-client">' in page

    def test_an_audience_the_oidc_provider_does_not_have_is_refused(self, student_client, wizard, identity):
        arn = _oidc_provider(identity)
        response = post_entity(student_client, wizard, entity_type="web_identity", web_provider=arn, audience="nope")
        assert "Choose one of the provider&#x27;s audiences: sts.amazonaws.com" in response.content.decode()

    def test_the_audience_is_required(self, student_client, wizard):
        response = post_entity(student_client, wizard, entity_type="web_identity", web_provider="google")
        assert "This field is required." in response.content.decode()

    def test_an_oidc_provider_of_another_account_is_not_a_choice(self, student_client, wizard):
        response = post_entity(student_client, wizard, entity_type="web_identity", audience="x",
                               web_provider=f"arn:aws:iam::{OTHER_ACCOUNT}:oidc-provider/{GITHUB}")
        assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
class SamlTests:
    def test_programmatic_and_console_access_adds_saml_aud(self, student_client, wizard, identity):
        arn = _saml_provider(identity)
        generated = _generated(student_client, wizard, entity_type="saml", saml_provider=arn, saml_access="console")
        assert generated == trust_text(_saml(arn, {"SAML:aud": SAML_CONSOLE_AUDIENCE}))

    def test_console_access_with_another_condition(self, student_client, wizard, identity):
        arn = _saml_provider(identity)
        generated = _generated(student_client, wizard, entity_type="saml", saml_provider=arn, saml_access="console",
                               saml_attribute="SAML:iss", saml_value="http://idp.example.com")
        assert generated == trust_text(_saml(arn, {"SAML:aud": SAML_CONSOLE_AUDIENCE,
                                                   "SAML:iss": "http://idp.example.com"}))

    def test_programmatic_access_only_uses_the_chosen_attribute(self, student_client, wizard, identity):
        arn = _saml_provider(identity)
        generated = _generated(student_client, wizard, entity_type="saml", saml_provider=arn,
                               saml_access="programmatic", saml_attribute="SAML:sub", saml_value="alice")
        assert generated == trust_text(_saml(arn, {"SAML:sub": "alice"}))

    def test_programmatic_access_needs_a_condition(self, student_client, wizard, identity):
        arn = _saml_provider(identity)
        response = post_entity(student_client, wizard, entity_type="saml", saml_provider=arn,
                               saml_access="programmatic")
        assert "Programmatic access needs at least one condition" in response.content.decode()

    def test_console_access_refuses_a_second_saml_aud(self, student_client, wizard, identity):
        arn = _saml_provider(identity)
        response = post_entity(student_client, wizard, entity_type="saml", saml_provider=arn, saml_access="console",
                               saml_attribute="SAML:aud", saml_value="x")
        assert "Console access already sets SAML:aud" in response.content.decode()

    def test_without_providers_the_page_says_so_and_a_provider_is_required(self, student_client, wizard):
        response = post_entity(student_client, wizard, entity_type="saml", saml_access="console")
        page = response.content.decode()
        assert "This account has no SAML 2.0 providers yet." in page
        assert "This field is required." in page

    def test_the_providers_are_listed_by_name(self, student_client, wizard, identity):
        arn = _saml_provider(identity, name="Corp")
        page = student_client.get(step_url(wizard, "entity")).content.decode()
        assert f'<option value="{arn}">Corp</option>' in page

    def test_refused_provider_lists_are_a_warning_not_the_denied_page(self, student_client, wizard, monkeypatch):
        from console.selectors import wizard as wizard_selectors
        from sandbox.errors import AccessDenied

        def denied(identity, action, params=None):
            raise AccessDenied(f"not authorized to perform: iam:{action}")

        monkeypatch.setattr(wizard_selectors, "iam_call", denied)
        response = student_client.get(step_url(wizard, "entity"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "AccessDenied: not authorized to perform: iam:ListSAMLProviders" in page


@pytest.mark.django_db
class CustomTrustPolicyTests:
    def test_the_editor_starts_with_the_console_template(self, student_client, wizard):
        page = student_client.get(step_url(wizard, "entity")).content.decode()
        assert html.escape(CUSTOM_TEMPLATE) in page

    def test_the_text_is_kept_exactly_as_typed(self, student_client, wizard):
        typed = ('{"Version":"2012-10-17",\n  "Statement":[{"Effect":"Allow",'
                 '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}  ')
        assert _generated(student_client, wizard, entity_type="custom", custom_policy=typed) == typed

    def test_errors_block_next_and_are_listed_at_their_line_with_the_text_kept(self, student_client, wizard):
        broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        response = post_entity(student_client, wizard, entity_type="custom", custom_policy=broken)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Fix the errors in the trust policy first" in page
        assert "JSON_SYNTAX_ERROR" in page
        assert "Ln 4, Col 1" in page
        assert html.escape(broken) in page

    def test_live_validation_is_the_preview_fragment_with_findings(self, student_client, wizard):
        document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "sts:AssumeRole", "Resource": "*"}]}, indent=2)
        response = post_entity(student_client, wizard, action="preview", headers=HTMX, entity_type="custom",
                               custom_policy=document)
        page = response.content.decode()
        assert page.strip().startswith('<section id="trust-preview"')
        assert 'id="trust-findings"' in page
        assert "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE" in page
        assert "Ln 10, Col 7" in page

    def test_security_warnings_are_shown_but_do_not_block(self, student_client, wizard):
        document = trust_text({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                               "Action": "sts:AssumeRole"})
        preview = post_entity(student_client, wizard, action="preview", headers=HTMX, entity_type="custom",
                              custom_policy=document).content.decode()
        assert "EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID" in preview
        assert _generated(student_client, wizard, entity_type="custom", custom_policy=document) == document

    def test_an_empty_policy_is_required(self, student_client, wizard):
        response = post_entity(student_client, wizard, entity_type="custom", custom_policy="")
        assert "This field is required." in response.content.decode()


@pytest.mark.django_db
class CreatedTrustPolicyTests:
    """The role IAM stores has exactly the trust policy the wizard generated, whatever the type."""

    @pytest.mark.parametrize("fields", [
        {"entity_type": "aws_service", "service": "ecs", "use_case": "ecs-tasks"},
        {"entity_type": "aws_account", "account": "other", "account_id": OTHER_ACCOUNT, "require_external_id": "on",
         "external_id": "partner-42", "require_mfa": "on"},
        {"entity_type": "web_identity", "web_provider": "google", "audience": "app.apps.googleusercontent.com"},
    ], ids=["aws_service", "aws_account", "web_identity"])
    def test_get_role_returns_the_generated_policy(self, student_client, wizard, identity, fields):
        generated = _generated(student_client, wizard, **fields)
        post_permissions(student_client, wizard)
        response = post_review(student_client, wizard, role_name="Generated", trust_policy=generated)
        assert response.status_code == 302
        role = iam_call(identity, "GetRole", {"RoleName": "Generated"})["Role"]
        assert document_of(role) == generated

    def test_saml_role(self, student_client, wizard, identity):
        arn = _saml_provider(identity)
        generated = _generated(student_client, wizard, entity_type="saml", saml_provider=arn, saml_access="console")
        post_permissions(student_client, wizard)
        post_review(student_client, wizard, role_name="Federated", trust_policy=generated)
        role = iam_call(identity, "GetRole", {"RoleName": "Federated"})["Role"]
        assert document_of(role) == trust_text(_saml(arn, {"SAML:aud": SAML_CONSOLE_AUDIENCE}))
