"""Service control policies: managed through Organizations calls, enforced by the engine on member accounts."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sandbox.models import AccessKeyOwner, Account
from sandbox.moto_store import account_writer
from tests.sandbox.conftest import aws_client

pytestmark = pytest.mark.django_db(transaction=True)
DENY_IAM_USERS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]})


def _code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


@pytest.fixture
def orgs(live_server, carol):
    return aws_client(live_server, "organizations", carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def dev(carol):
    return Account.objects.get(account_id=next(a.account_id for a in carol.accounts if a.alias == "dev"))


@pytest.fixture
def dev_iam(live_server, dev):
    """An administrator in the `dev` member account (SCPs apply to it)."""
    with account_writer(dev.account_id) as backends:
        backends.iam.create_user(region_name="us-east-1", user_name="devadmin", path="/")
        backends.iam.put_user_policy("devadmin", "All", json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = backends.iam.create_access_key("devadmin")
    AccessKeyOwner.objects.create(access_key_id=key.access_key_id, account=dev, user_name="devadmin")
    return aws_client(live_server, "iam", key.access_key_id, key.secret_access_key)


class ScpManagementTests:
    def test_full_aws_access_is_attached_to_the_root_and_every_account(self, orgs, carol):
        (full,) = orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
        assert (full["Id"], full["AwsManaged"]) == ("p-FullAWSAccess", True)
        targets = orgs.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]
        assert {t["Type"] for t in targets} == {"ROOT", "ACCOUNT"}
        assert len(targets) == 1 + len(carol.accounts)

    def test_create_describe_attach_detach_delete(self, orgs, dev):
        policy = orgs.create_policy(Name="NoUsers", Description="", Type="SERVICE_CONTROL_POLICY",
                                    Content=DENY_IAM_USERS)["Policy"]["PolicySummary"]
        assert policy["Id"].startswith("p-")
        described = orgs.describe_policy(PolicyId=policy["Id"])["Policy"]
        assert json.loads(described["Content"]) == json.loads(DENY_IAM_USERS)
        orgs.attach_policy(PolicyId=policy["Id"], TargetId=dev.account_id)
        names = {p["Name"] for p in orgs.list_policies_for_target(TargetId=dev.account_id,
                                                                 Filter="SERVICE_CONTROL_POLICY")["Policies"]}
        assert names == {"FullAWSAccess", "NoUsers"}
        with pytest.raises(ClientError) as raised:
            orgs.delete_policy(PolicyId=policy["Id"])
        assert _code(raised.value) == "PolicyInUseException"
        orgs.detach_policy(PolicyId=policy["Id"], TargetId=dev.account_id)
        orgs.delete_policy(PolicyId=policy["Id"])

    def test_a_malformed_scp_is_refused(self, orgs):
        with pytest.raises(ClientError) as raised:
            orgs.create_policy(Name="Bad", Description="", Type="SERVICE_CONTROL_POLICY", Content="{nope")
        assert _code(raised.value) == "MalformedPolicyDocumentException"

    def test_the_last_scp_of_a_target_cannot_be_detached(self, orgs, dev):
        with pytest.raises(ClientError) as raised:
            orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=dev.account_id)
        assert _code(raised.value) == "ConstraintViolationException"

    def test_aws_managed_scps_cannot_be_deleted(self, orgs):
        with pytest.raises(ClientError):
            orgs.delete_policy(PolicyId="p-FullAWSAccess")


class ScpEnforcementTests:
    def _deny_users_in(self, orgs, target_id):
        policy = orgs.create_policy(Name="NoUsers", Description="", Type="SERVICE_CONTROL_POLICY",
                                    Content=DENY_IAM_USERS)["Policy"]["PolicySummary"]
        orgs.attach_policy(PolicyId=policy["Id"], TargetId=target_id)
        return policy["Id"]

    def test_an_scp_deny_stops_even_an_administrator_with_awss_message(self, orgs, dev, dev_iam):
        self._deny_users_in(orgs, dev.account_id)
        with pytest.raises(ClientError) as raised:
            dev_iam.create_user(UserName="blocked")
        assert _code(raised.value) == "AccessDenied"
        assert raised.value.response["Error"]["Message"].endswith(
            "with an explicit deny in a service control policy"
        )

    def test_other_actions_still_work(self, orgs, dev, dev_iam):
        self._deny_users_in(orgs, dev.account_id)
        assert [user["UserName"] for user in dev_iam.list_users()["Users"]] == ["devadmin"]

    def test_replacing_full_aws_access_with_an_allow_list_denies_the_rest(self, orgs, dev, dev_iam):
        only_reads = orgs.create_policy(
            Name="ReadOnly", Description="", Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}),
        )["Policy"]["PolicySummary"]
        orgs.attach_policy(PolicyId=only_reads["Id"], TargetId=dev.account_id)
        orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=dev.account_id)
        dev_iam.list_roles()
        with pytest.raises(ClientError) as raised:
            dev_iam.create_user(UserName="blocked")
        assert raised.value.response["Error"]["Message"].endswith(
            "because no service control policy allows the iam:CreateUser action"
        )

    def test_the_management_account_is_never_limited_by_scps(self, live_server, orgs, carol):
        self._deny_users_in(orgs, carol.home_account_id)
        iam = aws_client(live_server, "iam", carol.access_key_id, carol.secret_access_key)
        assert iam.create_user(UserName="fine")["User"]["UserName"] == "fine"

    def test_member_accounts_cannot_manage_scps(self, live_server, dev, dev_iam):
        # dev_iam's key is a member account's: Organizations' policy calls need the management account.
        key = AccessKeyOwner.objects.get(account=dev)
        with account_writer(dev.account_id) as backends:
            secret = backends.iam.get_user("devadmin").access_keys[0].secret_access_key
        member_orgs = aws_client(live_server, "organizations", key.access_key_id, secret)
        with pytest.raises(ClientError) as raised:
            member_orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")
        assert _code(raised.value) == "AccessDeniedException"
