"""The console after a SAML sign-in acts as the federated role, and switching from it is role chaining (as in AWS):
the federated role's own permissions decide, the session lasts at most an hour, and "Switch back" returns to the
federated role, not to the learner's IAM user."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sandbox.api import iam_call
from sandbox.clock import clock_advance
from sandbox.federation import issue, selectors
from sandbox.models import Sandbox, StsSession
from sandbox.provisioning import home_identity
from tests.sandbox.test_federation_portal import corp, learner, sandbox  # noqa: F401 (fixtures; the learner is gina)

pytestmark = pytest.mark.django_db


def _trust(principal: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def signed_in(client, corp, sandbox):  # noqa: F811
    """alice signed in to the console as Developer, which may assume roles; Target trusts the account."""
    admin = home_identity(sandbox)
    iam_call(admin, "PutRolePolicy", {"RoleName": "Developer", "PolicyName": "assume", "PolicyDocument": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})})
    iam_call(admin, "CreateRole", {"RoleName": "Target", "AssumeRolePolicyDocument": _trust(corp["account"])})
    alice = selectors.directory_user_get(sandbox=sandbox, name="alice")
    client.post("/federation/signin/saml", {
        "SAMLResponse": issue.saml_assertion_issue(user=alice, role_arn=corp["role"]).encoded})
    return corp


def _switch(client, account: str, role: str):
    return client.post("/console/switchrole/", {"account": account, "role_name": role, "display_name": "",
                                                "color": ""}, follow=True)


class FederatedConsoleTests:
    def test_the_top_bar_offers_leaving_the_federated_session_not_switch_back(self, client, signed_in):
        page = client.get("/console/").content.decode()
        assert "Developer/alice@corp.example" in page and "Leave the federated session" in page
        assert "Switch back to" not in page

    def test_switching_from_it_is_role_chaining(self, client, signed_in):
        _switch(client, signed_in["account"], "Target")
        target = StsSession.objects.get(role_name="Target")
        assert target.chained and target.issued_to["type"] == "AssumedRole"
        assert ":assumed-role/Developer/alice@corp.example" in target.issued_to["arn"]
        assert target.expires_at - target.issued_at <= timedelta(hours=1)

    def test_a_role_trusting_only_the_iam_user_cannot_be_reached_from_it(self, client, signed_in):
        admin = home_identity(Sandbox.objects.get())
        user_arn = f"arn:aws:iam::{signed_in['account']}:user/gina"
        iam_call(admin, "CreateRole", {"RoleName": "UsersOnly", "AssumeRolePolicyDocument": _trust(user_arn)})
        page = _switch(client, signed_in["account"], "UsersOnly").content.decode()
        assert not StsSession.objects.filter(role_name="UsersOnly").exists()
        assert "Invalid information in one or more fields" in page

    def test_switch_back_returns_to_the_federated_role(self, client, signed_in):
        _switch(client, signed_in["account"], "Target")
        assert "Switch back to Developer/alice@corp.example" in client.get("/console/").content.decode()
        page = client.post("/console/switchrole/back/", follow=True).content.decode()
        assert "You are back to your federated role." in page
        assert client.session["federated_role"] and "switched_role" not in client.session
        assert "Leave the federated session" in page

    def test_leaving_returns_to_the_iam_user(self, client, signed_in):
        page = client.post("/console/federation/sign-out/", follow=True).content.decode()
        assert "You left the federated session" in page and "federated_role" not in client.session
        assert ":user/gina" in page

    def test_an_expired_federated_session_returns_to_the_iam_user_with_a_notice(self, client, signed_in):
        clock_advance(Sandbox.objects.get(), 2 * 3600)
        page = client.get("/console/").content.decode()
        assert "Your federated session has expired" in page and ":user/gina" in page
