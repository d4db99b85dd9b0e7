"""The corporate portal, the IdP's public documents and AWS sign-in's SAML endpoint (console federation)."""
from __future__ import annotations

import base64
import json

import jwt
import pytest
from django.contrib.auth.models import User

from sandbox.api import iam_call
from sandbox.federation import issue, selectors, services
from sandbox.federation.issuers import training_issuer_base
from sandbox.learners import learner_create
from sandbox.models import Event, Sandbox, StsSession
from sandbox.provisioning import home_identity
from sandbox.sts import console_saml

# Until the lead includes them in config/urls.py, these tests mount the federation URLs themselves.
pytestmark = [pytest.mark.django_db]
SIGNIN = "https://signin.aws.amazon.com/saml"


@pytest.fixture
def learner(client):
    summary = learner_create(username="gina")
    client.force_login(User.objects.get(username="gina"))
    return summary


@pytest.fixture
def sandbox(learner) -> Sandbox:
    return Sandbox.objects.get(owner__username=learner.username)


def trust(provider_arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": SIGNIN}}}]})


@pytest.fixture
def corp(learner, sandbox):
    """CorpIdP registered in IAM, roles Developer and Auditor for the group developers, and alice in it."""
    account = learner.home_account_id
    provider_arn = f"arn:aws:iam::{account}:saml-provider/CorpIdP"
    metadata = issue.saml_metadata_get(sandbox=sandbox, sso_url="https://portal.example/sso").decode()
    admin = home_identity(sandbox)
    iam_call(admin, "CreateSAMLProvider", {"Name": "CorpIdP", "SAMLMetadataDocument": metadata})
    for name in ("Developer", "Auditor"):
        iam_call(admin, "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": trust(provider_arn)})
    for name in ("Developer", "Auditor"):
        services.role_mapping_create(sandbox=sandbox, group="developers",
                                     role_arn=f"arn:aws:iam::{account}:role/{name}", provider_arn=provider_arn)
    services.directory_user_create(sandbox=sandbox, name="alice", email="alice@corp.example", groups=["developers"])
    return {"account": account, "provider_arn": provider_arn, "role": f"arn:aws:iam::{account}:role/Developer"}


class PublicDocumentTests:
    def test_the_metadata_downloads_as_xml(self, client, sandbox):
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        answer = client.get(f"/federation/saml/{provider.key}/metadata.xml")
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/samlmetadata+xml"
        assert b'entityID="https://idp.training.example/saml"' in answer.content

    def test_the_discovery_document_names_the_issuer_and_its_jwks(self, client, sandbox):
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        document = client.get(f"/federation/oidc/{provider.key}/.well-known/openid-configuration").json()
        assert document["issuer"] == f"{training_issuer_base()}/{provider.key}"
        assert document["jwks_uri"].endswith(f"/federation/oidc/{provider.key}/oidc/jwks.json")

    def test_the_jwks_verifies_a_github_token(self, client, sandbox):
        from sandbox.federation.issuers import Issuer
        from sandbox.federation.oidc_idp import TokenRequest

        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        token = issue.id_token_issue(sandbox=sandbox, request=TokenRequest(issuer=Issuer.GITHUB))
        keys = jwt.PyJWKSet.from_dict(client.get(f"/federation/oidc/{provider.key}/github/jwks.json").json())
        key = keys[jwt.get_unverified_header(token)["kid"]]
        assert jwt.decode(token, key.key, algorithms=["RS256"], audience="sts.amazonaws.com")["iss"] == (
            "https://token.actions.githubusercontent.com")

    def test_an_unknown_provider_or_issuer_is_not_found(self, client, sandbox):
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        assert client.get("/federation/saml/nope/metadata.xml").status_code == 404
        assert client.get(f"/federation/oidc/{provider.key}/saml/jwks.json").status_code == 404


class PortalTests:
    def test_the_portal_lists_people_and_their_roles(self, client, corp):
        page = client.get("/federation/portal/").content.decode()
        assert "alice@corp.example" in page
        assert "Developer" in page and "Auditor" in page

    def test_the_portal_needs_a_signed_in_learner(self, client, corp):
        client.logout()
        assert client.get("/federation/portal/").status_code == 302

    def test_adding_a_person_with_tags(self, client, sandbox):
        answer = client.post("/federation/portal/users/", {
            "name": "tina", "email": "tina@corp.example", "groups": "ops, developers",
            "session_tags": "Team=blue\nCostCenter=42", "transitive_tag_keys": "Team",
        })
        assert answer.status_code == 302
        tina = selectors.directory_user_get(sandbox=sandbox, name="tina")
        assert (tina.groups, tina.session_tags, tina.transitive_tag_keys) == (
            ["ops", "developers"], {"Team": "blue", "CostCenter": "42"}, ["Team"])

    def test_a_refused_person_re_renders_the_form_with_the_reason(self, client, sandbox):
        answer = client.post("/federation/portal/users/", {"name": "a b"})
        assert answer.status_code == 200
        assert "directory user name" in answer.content.decode()

    def test_adding_a_mapping(self, client, learner, sandbox):
        answer = client.post("/federation/portal/mappings/", {
            "group": "ops", "role_arn": f"arn:aws:iam::{learner.home_account_id}:role/Ops",
            "provider_arn": f"arn:aws:iam::{learner.home_account_id}:saml-provider/CorpIdP",
        })
        assert answer.status_code == 302
        assert [mapping.group for mapping in selectors.role_mapping_list(sandbox=sandbox)] == ["ops"]

    def test_the_assertion_downloads_as_base64_for_the_cli(self, client, corp):
        answer = client.post("/federation/portal/assertion/", {
            "user": "alice", "role": f"{corp['role']},{corp['provider_arn']}"})
        assert answer["Content-Disposition"] == 'attachment; filename="assertion.b64"'
        xml = base64.b64decode(answer.content)
        assert f"{corp['role']},{corp['provider_arn']}".encode() in xml
        assert b"role/Auditor" not in xml

    def test_a_github_token_downloads(self, client, sandbox):
        answer = client.post("/federation/portal/github-token/", {
            "repository": "acme/app", "ref": "refs/heads/main", "event": "push", "audience": "sts.amazonaws.com"})
        claims = jwt.decode(answer.content.decode(), options={"verify_signature": False})
        assert claims["sub"] == "repo:acme/app:ref:refs/heads/main"

    def test_an_id_token_downloads_for_a_person(self, client, corp):
        answer = client.post("/federation/portal/token/", {"user": "alice", "issuer": "google"})
        claims = jwt.decode(answer.content.decode(), options={"verify_signature": False})
        assert claims["iss"] == "https://accounts.google.com"


class ConsoleSignInTests:
    def sign_in_post(self, client, corp, role: str = ""):
        return client.post("/federation/portal/sign-in/", {"user": "alice", "role": role})

    def test_the_portal_posts_the_response_to_the_sign_in_endpoint(self, client, corp):
        page = self.sign_in_post(client, corp, f"{corp['role']},{corp['provider_arn']}").content.decode()
        assert 'action="/federation/signin/saml"' in page
        assert 'name="SAMLResponse"' in page

    def test_one_role_signs_straight_in_and_the_console_acts_as_the_role_session(self, client, corp):
        encoded = issue.saml_assertion_issue(
            user=selectors.directory_user_get(sandbox=Sandbox.objects.get(), name="alice"),
            role_arn=corp["role"]).encoded
        answer = client.post("/federation/signin/saml", {"SAMLResponse": encoded})
        assert answer.status_code == 302
        assert answer["Location"] == "/console/"
        session = StsSession.objects.get(via_console=True)
        assert (session.role_name, session.session_name, session.issued_to["type"]) == (
            "Developer", "alice@corp.example", "SAMLUser")
        assert client.session["federated_role"]["key"] == session.access_key_id

    def test_several_roles_show_the_role_picker(self, client, corp):
        alice = selectors.directory_user_get(sandbox=Sandbox.objects.get(), name="alice")
        encoded = issue.saml_assertion_issue(user=alice).encoded
        page = client.post("/federation/signin/saml", {"SAMLResponse": encoded}).content.decode()
        assert "Select a role:" in page and 'value="' + corp["role"] + '"' in page
        answer = client.post("/federation/signin/saml", {"SAMLResponse": encoded, "roleIndex": corp["role"]})
        assert answer.status_code == 302

    def test_sign_in_records_the_sts_call_and_a_console_login(self, client, corp):
        alice = selectors.directory_user_get(sandbox=Sandbox.objects.get(), name="alice")
        client.post("/federation/signin/saml", {
            "SAMLResponse": issue.saml_assertion_issue(user=alice, role_arn=corp["role"]).encoded})
        names = set(Event.objects.values_list("event_name", flat=True))
        assert {"AssumeRoleWithSAML", "ConsoleLogin"} <= names
        login = Event.objects.get(event_name="ConsoleLogin")
        assert login.additional_event_data["SamlProviderArn"] == corp["provider_arn"]

    def test_a_forged_response_shows_awss_sign_in_error(self, client, corp):
        alice = selectors.directory_user_get(sandbox=Sandbox.objects.get(), name="alice")
        xml = issue.saml_assertion_issue(user=alice, role_arn=corp["role"]).xml.replace(
            b">alice@corp.example<", b">mallory@corp.example<")
        page = client.post("/federation/signin/saml", {"SAMLResponse": base64.b64encode(xml).decode()})
        assert console_saml.INVALID_RESPONSE in page.content.decode()
        assert "federated_role" not in client.session

    def test_another_learners_role_cannot_be_entered(self, client, corp):
        other = learner_create(username="hank")
        other_sandbox = Sandbox.objects.get(owner__username="hank")
        role = f"arn:aws:iam::{other.home_account_id}:role/Developer"
        provider = f"arn:aws:iam::{other.home_account_id}:saml-provider/CorpIdP"
        services.role_mapping_create(sandbox=other_sandbox, group="g", role_arn=role, provider_arn=provider)
        hank = services.directory_user_create(sandbox=other_sandbox, name="hank", groups=["g"])
        page = client.post("/federation/signin/saml", {"SAMLResponse": issue.saml_assertion_issue(user=hank).encoded})
        assert console_saml.INVALID_RESPONSE in page.content.decode()
