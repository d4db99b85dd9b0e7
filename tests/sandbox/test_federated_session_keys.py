"""A federated session keeps its identity provider's keys for every later request: `saml:sub`, `saml:sub_type`,
`saml:namequalifier` (AssumeRoleWithSAML) and `aws:FederatedProvider` (AssumeRoleWithWebIdentity).

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
The calls go through the real `/aws` endpoint in process, with the session's own credentials.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from labs.services.inprocess_aws import aws_client
from sandbox.api import iam_call
from sandbox.authorize import session_keys
from sandbox.federation import issue, services
from sandbox.federation.issuers import Issuer
from sandbox.federation.oidc_idp import TokenRequest
from sandbox.identity import Identity, SessionContext
from sandbox.models import Sandbox, StsSession
from sandbox.provisioning import home_identity, sandbox_provision
from sandbox.sts.sessions import session_identity

pytestmark = pytest.mark.django_db
SIGNIN = "https://signin.aws.amazon.com/saml"
GITHUB = "token.actions.githubusercontent.com"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _list_roles_if(condition: dict) -> str:
    return _document({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*", "Condition": condition})


class Company:
    """A sandbox whose training IdP is trusted by IAM (SAML provider CorpIdP, GitHub's OIDC provider)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.admin = home_identity(sandbox)
        self.account = self.admin.account_id
        self.saml_provider = f"arn:aws:iam::{self.account}:saml-provider/CorpIdP"
        self.oidc_provider = f"arn:aws:iam::{self.account}:oidc-provider/{GITHUB}"
        metadata = issue.saml_metadata_get(sandbox=sandbox, sso_url="https://portal.example/sso").decode()
        iam_call(self.admin, "CreateSAMLProvider", {"Name": "CorpIdP", "SAMLMetadataDocument": metadata})
        iam_call(self.admin, "CreateOpenIDConnectProvider", {
            "Url": f"https://{GITHUB}", "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": ["a" * 40]})
        self.alice = services.directory_user_create(
            sandbox=sandbox, name="alice", email="alice@corp.example", groups=["developers"])

    def role(self, name: str, trust: dict, permissions: str) -> str:
        iam_call(self.admin, "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": _document(trust)})
        iam_call(self.admin, "PutRolePolicy", {"RoleName": name, "PolicyName": "p", "PolicyDocument": permissions})
        return f"arn:aws:iam::{self.account}:role/{name}"

    def saml_role(self, name: str, permissions: str) -> str:
        arn = self.role(name, {
            "Effect": "Allow", "Principal": {"Federated": self.saml_provider}, "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": SIGNIN}}}, permissions)
        services.role_mapping_create(sandbox=self.sandbox, group="developers", role_arn=arn,
                                     provider_arn=self.saml_provider)
        return arn

    def web_identity_role(self, name: str, permissions: str) -> str:
        return self.role(name, {
            "Effect": "Allow", "Principal": {"Federated": self.oidc_provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}}, permissions)

    def saml_session(self, role_arn: str) -> dict:
        assertion = issue.saml_assertion_issue(user=self.alice, role_arn=role_arn).encoded
        return _unsigned_sts().assume_role_with_saml(
            RoleArn=role_arn, PrincipalArn=self.saml_provider, SAMLAssertion=assertion)

    def web_identity_session(self, role_arn: str) -> dict:
        token = issue.id_token_issue(sandbox=self.sandbox, request=TokenRequest(issuer=Issuer.GITHUB))
        return _unsigned_sts().assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName="deploy", WebIdentityToken=token)


def _unsigned_sts():
    return aws_client("sts", access_key_id="unused", secret_access_key="unused")


def _iam(answer: dict):
    credentials = answer["Credentials"]
    return aws_client("iam", access_key_id=credentials["AccessKeyId"],
                      secret_access_key=credentials["SecretAccessKey"], session_token=credentials["SessionToken"])


def _refused(call) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


@pytest.fixture
def company(student) -> Company:
    return Company(sandbox_provision(user=student))


class SessionKeysTests:
    def test_the_session_context_brings_the_federated_keys(self):
        moment = datetime(2030, 1, 1, tzinfo=UTC)
        keys = (("saml:sub", "_abc"), ("saml:sub_type", "persistent"))
        session = SessionContext(kind="assumed-role", access_key_id="ASIAEXAMPLE", issued_at=moment,
                                 expires_at=moment, federated_keys=keys)
        identity = Identity(account_id="111122223333", arn="arn", type="AssumedRole", name="s", principal_id="p",
                            session=session)
        keys = session_keys(identity, moment)
        assert (keys["saml:sub"], keys["saml:sub_type"]) == ("_abc", "persistent")

    def test_an_assume_role_session_has_no_federated_keys(self):
        moment = datetime(2030, 1, 1, tzinfo=UTC)
        session = SessionContext(kind="assumed-role", access_key_id="ASIAEXAMPLE", issued_at=moment, expires_at=moment)
        identity = Identity(account_id="111122223333", arn="arn", type="AssumedRole", name="s", principal_id="p",
                            session=session)
        assert not {"saml:sub", "aws:FederatedProvider"} & set(session_keys(identity, moment))

    def test_a_stored_saml_session_turns_back_into_an_identity_with_its_keys(self, company):
        role = company.saml_role("Developer", _list_roles_if({"Bool": {"aws:SecureTransport": "true"}}))
        answer = company.saml_session(role)
        stored = StsSession.objects.get(access_key_id=answer["Credentials"]["AccessKeyId"])
        context = session_identity(stored, company.account).session
        assert dict(context.federated_keys) == {
            "saml:sub": answer["Subject"], "saml:sub_type": "persistent", "saml:namequalifier": answer["NameQualifier"]}


class SamlKeysInPermissionPoliciesTests:
    def test_a_condition_on_the_subject_allows_the_session_it_names(self, company):
        """The answer's Subject is the session's `saml:sub`: a policy can name it once it is known."""
        role = company.saml_role("Developer", _list_roles_if({"StringEquals": {"saml:sub_type": "persistent"}}))
        answer = company.saml_session(role)
        iam_call(company.admin, "PutRolePolicy", {"RoleName": "Developer", "PolicyName": "p", "PolicyDocument":
                 _list_roles_if({"StringEquals": {"saml:sub": answer["Subject"],
                                                  "saml:namequalifier": answer["NameQualifier"]}})})
        assert "Roles" in _iam(answer).list_roles()

    def test_a_condition_on_another_subject_denies(self, company):
        role = company.saml_role("Developer", _list_roles_if({"StringEquals": {"saml:sub": "_someone-else"}}))
        assert _refused(lambda: _iam(company.saml_session(role)).list_roles()) == "AccessDenied"

    def test_a_saml_key_works_as_a_policy_variable(self, company):
        """`${saml:...}` in a Resource, as AWS's per-user folder examples use `${saml:sub}`."""
        role = company.saml_role("Developer", _document({
            "Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:aws:iam::*:role/${saml:sub_type}-*"}))
        iam_call(company.admin, "CreateRole", {"RoleName": "persistent-reports", "AssumeRolePolicyDocument":
                 _document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole"})})
        iam = _iam(company.saml_session(role))
        assert iam.get_role(RoleName="persistent-reports")["Role"]["RoleName"] == "persistent-reports"
        assert _refused(lambda: iam.get_role(RoleName="Developer")) == "AccessDenied"


class FederatedProviderKeyTests:
    def test_a_web_identity_session_carries_its_provider(self, company):
        role = company.web_identity_role("Deploy", _list_roles_if(
            {"StringEquals": {"aws:FederatedProvider": company.oidc_provider}}))
        assert "Roles" in _iam(company.web_identity_session(role)).list_roles()

    def test_a_condition_on_another_provider_denies(self, company):
        role = company.web_identity_role("Deploy", _list_roles_if(
            {"StringEquals": {"aws:FederatedProvider": "arn:aws:iam::111122223333:oidc-provider/other.example"}}))
        assert _refused(lambda: _iam(company.web_identity_session(role)).list_roles()) == "AccessDenied"

    def test_a_saml_session_has_no_web_identity_provider_key(self, company):
        role = company.saml_role("Developer", _list_roles_if({"Null": {"aws:FederatedProvider": "false"}}))
        assert _refused(lambda: _iam(company.saml_session(role)).list_roles()) == "AccessDenied"
