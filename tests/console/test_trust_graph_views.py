"""IAM > Trust graph page: the SVG and its table, computed from the trust policies of every account, per learner."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sandbox import provisioning
from sandbox.api import iam_call
from sandbox.models import Account
from sandbox.moto_store import account_writer

HTMX = {"HX-Request": "true"}


def _trust(principal, condition=None, action="sts:AssumeRole", effect="Allow"):
    statement = {"Effect": effect, "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _accounts(user):
    return {account.alias: account.account_id for account in Account.objects.filter(sandbox__owner=user)}


def _put_role(account_id, name, trust):
    """Set up a role in any account of the sandbox (test setup, as provisioning does)."""
    with account_writer(account_id) as backends:
        backends.iam.create_role(role_name=name, assume_role_policy_document=trust, path="/",
                                 permissions_boundary=None, description="", tags=[], max_session_duration="3600")


@pytest.fixture
def accounts(student):
    provisioning.learner_identity(user=student)
    return _accounts(student)


@pytest.mark.django_db
class TrustGraphPageTests:
    def test_full_page_has_the_svg_and_its_table(self, student_client, accounts):
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        assert "<html" in page
        assert '<svg class="trust-graph-svg"' in page
        assert '<title id="tg-title">Trust graph</title>' in page
        assert 'data-testid="trust-graph-table"' in page

    def test_htmx_gets_only_the_graph_fragment(self, student_client, accounts):
        response = student_client.get(reverse("console:trust-graph"), headers=HTMX)
        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith('<div id="trust-graph">')
        assert "HX-Request" in response["Vary"]

    def test_every_account_is_a_box_with_alias_and_id(self, student_client, accounts):
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        for alias in ("management", "dev", "prod"):
            assert f'class="box-title">{alias}</text>' in page
            assert accounts[alias] in page

    def test_organization_access_roles_trust_the_management_account(self, student_client, accounts):
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        assert page.count("whole account (needs an identity policy)</td>") == 2
        assert f"arn:aws:iam::{accounts['dev']}:role/OrganizationAccountAccessRole" in page

    def test_a_role_trusting_management_with_an_external_id_is_an_edge_in_the_svg(self, student_client, accounts):
        trust = _trust({"AWS": f"arn:aws:iam::{accounts['management']}:root"},
                       {"StringEquals": {"sts:ExternalId": "partner-42"}})
        _put_role(accounts["prod"], "AuditRole", trust)
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        svg = page.split("<svg class=\"trust-graph-svg\"", 1)[1].split("</svg>", 1)[0]
        assert "AuditRole</text>" in svg
        assert "· external ID</text>" in svg
        assert "StringEquals sts:ExternalId: `partner-42`" in svg
        assert svg.count('class="edge edge-allow edge-account"') == 3

    def test_the_table_lists_the_same_edge_with_its_condition(self, student_client, accounts):
        _put_role(accounts["prod"], "AuditRole", _trust({"AWS": accounts["management"]},
                                                        {"StringEquals": {"sts:ExternalId": "partner-42"}}))
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        table = page.split('data-testid="trust-graph-table"', 1)[1]
        assert f"arn:aws:iam::{accounts['prod']}:role/AuditRole" in table
        assert "StringEquals sts:ExternalId: `partner-42`" in table

    def test_deny_statements_are_shown_as_deny(self, student_client, accounts):
        _put_role(accounts["dev"], "Fenced", _trust({"AWS": "*"}, {"StringNotEquals": {"aws:PrincipalOrgID": "o-x"}},
                                                    action="sts:AssumeRole", effect="Deny"))
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        assert 'class="edge edge-deny"' in page
        assert "Deny: not org o-x</text>" in page

    def test_roles_of_the_current_account_link_to_their_page(self, student_client, student, accounts):
        identity = provisioning.learner_identity(user=student)
        iam_call(identity, "CreateRole", {"RoleName": "HomeRole", "AssumeRolePolicyDocument": _trust(
            {"Service": "ec2.amazonaws.com"})})
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        assert f'<a href="{reverse("console:role-detail", args=["HomeRole"])}" aria-label="Role HomeRole">' in page
        assert reverse("console:role-detail", args=["OrganizationAccountAccessRole"]) not in page

    def test_it_follows_trust_policy_changes(self, student_client, student, accounts):
        identity = provisioning.learner_identity(user=student)
        iam_call(identity, "CreateRole", {"RoleName": "Changing", "AssumeRolePolicyDocument": _trust(
            {"Service": "ec2.amazonaws.com"})})
        assert "ec2.amazonaws.com" in student_client.get(reverse("console:trust-graph")).content.decode()
        iam_call(identity, "UpdateAssumeRolePolicy", {"RoleName": "Changing", "PolicyDocument": _trust(
            {"Service": "lambda.amazonaws.com"})})
        page = student_client.get(reverse("console:trust-graph"), headers=HTMX).content.decode()
        assert "lambda.amazonaws.com" in page and "ec2.amazonaws.com" not in page

    def test_a_role_trusting_an_identity_provider(self, student_client, student, accounts):
        identity = provisioning.learner_identity(user=student)
        arn = iam_call(identity, "CreateOpenIDConnectProvider", {
            "Url": "https://token.actions.githubusercontent.com", "ClientIDList": ["sts.amazonaws.com"]})
        provider = arn["OpenIDConnectProviderArn"]
        iam_call(identity, "CreateRole", {"RoleName": "GitHubDeploy", "AssumeRolePolicyDocument": _trust(
            {"Federated": provider},
            {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
            action="sts:AssumeRoleWithWebIdentity")})
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        assert f'data-node="{provider}"' in page
        assert "· aud sts.amazonaws.com</text>" in page
        assert "identity provider</td>" in page

    def test_another_learners_accounts_are_not_in_the_graph(self, student_client, accounts, other_student, client):
        provisioning.learner_identity(user=other_student)
        client.force_login(other_student)
        page = client.get(reverse("console:trust-graph")).content.decode()
        assert accounts["dev"] not in page
        assert accounts["management"] not in page

    def test_needs_sign_in(self, client):
        response = client.get(reverse("console:trust-graph"))
        assert response.status_code == 302


@pytest.mark.django_db
class TrustGraphSwitchedRoleTests:
    def test_after_switching_to_dev_devs_roles_link_and_the_management_ones_do_not(self, student_client, accounts):
        response = student_client.post(reverse("console:switch-role"), {
            "account": "dev", "role_name": "OrganizationAccountAccessRole", "display_name": "Dev", "color": ""})
        assert response.status_code == 302
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        link = reverse("console:role-detail", args=["OrganizationAccountAccessRole"])
        assert page.count(f'<a href="{link}"') == 2  # the SVG node and the table row: dev's role only
        assert f"arn:aws:iam::{accounts['prod']}:role/OrganizationAccountAccessRole" in page

    def test_a_deleted_user_shows_as_its_unique_id(self, student_client, student, accounts):
        identity = provisioning.learner_identity(user=student)
        user = iam_call(identity, "CreateUser", {"UserName": "bob"})["User"]
        iam_call(identity, "CreateRole", {"RoleName": "ForBob", "AssumeRolePolicyDocument": _trust(
            {"AWS": user["Arn"]})})
        iam_call(identity, "DeleteUser", {"UserName": "bob"})
        page = student_client.get(reverse("console:trust-graph")).content.decode()
        assert "Deleted principals" in page
        assert f'data-node="{user["UserId"]}"' in page
