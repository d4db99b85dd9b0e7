"""The learner's world: an organization, a management account and member accounts, as AWS Organizations makes them."""
from __future__ import annotations

import json
import re

import pytest

import iam
from sandbox import provisioning
from sandbox.models import Account, Organization
from sandbox.moto_store import account_reader


@pytest.fixture
def sandbox(student):
    return provisioning.sandbox_provision(user=student)


@pytest.mark.django_db
class OrganizationTests:
    def test_the_organization_has_aws_shaped_ids(self, sandbox):
        organization = Organization.objects.get(sandbox=sandbox)
        assert re.fullmatch(r"o-[a-z0-9]{10}", organization.org_id)
        assert re.fullmatch(r"r-[a-z0-9]{4}", organization.root_id)

    def test_the_home_account_is_the_management_account(self, sandbox):
        home = sandbox.accounts.get(is_home=True)
        assert home.kind == Account.Kind.MANAGEMENT

    def test_there_are_dev_and_prod_member_accounts(self, sandbox):
        members = sandbox.accounts.filter(kind=Account.Kind.MEMBER)
        assert sorted(members.values_list("alias", flat=True)) == ["dev", "prod"]
        assert all(re.fullmatch(r"\d{12}", account_id) for account_id in members.values_list("account_id", flat=True))

    def test_account_ids_are_unique_across_learners(self, sandbox, other_student):
        theirs = provisioning.sandbox_provision(user=other_student)
        mine = set(sandbox.accounts.values_list("account_id", flat=True))
        assert mine.isdisjoint(theirs.accounts.values_list("account_id", flat=True))

    def test_the_learner_is_an_administrator_with_an_access_key(self, sandbox):
        home = sandbox.accounts.get(is_home=True)
        with account_reader(home.account_id) as backends:
            user = backends.iam.get_user(sandbox.home_user_name)
            attached = [policy.arn for policy in user.managed_policies.values()]
            keys = [key.access_key_id for key in user.access_keys]
        assert attached == [provisioning.ADMINISTRATOR_ACCESS_ARN]
        assert len(keys) == 1 and keys[0].startswith("AKIA")
        assert home.access_keys.get().access_key_id == keys[0]

    def test_member_accounts_trust_the_management_account_through_organization_account_access_role(self, sandbox):
        home = sandbox.accounts.get(is_home=True)
        member = sandbox.accounts.get(alias="dev")
        with account_reader(member.account_id) as backends:
            role = backends.iam.get_role(provisioning.ORGANIZATION_ACCESS_ROLE)
            trust = role.assume_role_policy_document
            attached = [policy.arn for policy in role.managed_policies.values()]
        assert attached == [provisioning.ADMINISTRATOR_ACCESS_ARN]
        policy = iam.parse_policy(trust, name="trust", kind=iam.PolicyKind.TRUST)
        admin = iam.parse_policy(
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            name="admin",
        )
        caller = iam.Principal.aws(f"arn:aws:iam::{home.account_id}:user/{sandbox.home_user_name}")
        request = iam.Request(action="sts:AssumeRole", resource=role.arn, principal=caller)
        assert iam.evaluate(request, iam.PolicyInputs(identity=(admin,), resource=policy)).allowed
        outsider = iam.Principal.aws("arn:aws:iam::999988887777:user/mallory")
        request = iam.Request(action="sts:AssumeRole", resource=role.arn, principal=outsider)
        assert not iam.evaluate(request, iam.PolicyInputs(identity=(admin,), resource=policy)).allowed


@pytest.mark.django_db
class ExternalAccountTests:
    def test_a_lab_controlled_account_is_outside_the_organization(self, sandbox):
        from sandbox.organizations import organization_ref
        from sandbox.scps import scp_levels

        partner = provisioning.account_add_external(sandbox=sandbox, alias="partner")
        assert partner.kind == Account.Kind.EXTERNAL
        assert re.fullmatch(r"\d{12}", partner.account_id)
        assert organization_ref(partner.account_id) is None
        assert scp_levels(partner.account_id) == ()

    def test_it_has_an_administrator_with_a_key(self, sandbox):
        partner = provisioning.account_add_external(sandbox=sandbox, alias="partner")
        with account_reader(partner.account_id) as backends:
            user = backends.iam.get_user("partner-admin")
            assert [policy.arn for policy in user.managed_policies.values()] == [provisioning.ADMINISTRATOR_ACCESS_ARN]
        assert partner.access_keys.count() == 1
