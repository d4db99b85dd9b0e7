"""Session policies (ref 1.1 / 1.3 / 7.1 (8)): Policy and PolicyArns only narrow what the role allows."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.sts.conftest import ADMINISTRATOR_ACCESS, allow, error, not_authorized, policy, status, trusts

pytestmark = pytest.mark.django_db(transaction=True)

IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ELEVEN_MANAGED = [
    f"arn:aws:iam::aws:policy/{name}" for name in (
        "IAMReadOnlyAccess", "ReadOnlyAccess", "SecurityAudit", "AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess",
        "AmazonSQSReadOnlyAccess", "AmazonSNSReadOnlyAccess", "CloudWatchReadOnlyAccess", "AmazonVPCReadOnlyAccess",
        "AmazonRDSReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess",
    )
]


def _admin_role(world):
    return world.role("Admin", trusts(world.learner.iam_user_arn), managed=(ADMINISTRATOR_ACCESS,))


class InlineSessionPolicyTests:
    def test_what_the_session_policy_allows_still_works(self, world):
        session = world.assume_keys(_admin_role(world), Policy=policy(allow("iam:ListRoles")))
        assert world.client("iam", session).list_roles()["Roles"]

    def test_what_it_does_not_allow_is_denied_naming_the_session_policy(self, world):
        """Ref 7.1 (8) and [UG:troubleshoot_access-denied]: the denial names the session policy."""
        session = world.assume_keys(_admin_role(world), Policy=policy(allow("iam:ListRoles")))
        with pytest.raises(ClientError) as raised:
            world.client("iam", session).list_users()
        code, message = error(raised)
        assert code == "AccessDenied"
        assert message.startswith(f"User: {world.session_arn('Admin')} is not authorized to perform: iam:ListUsers ")
        assert message.endswith("because no session policy allows the iam:ListUsers action")

    def test_a_session_policy_cannot_grant_more_than_the_role(self, world):
        """Ref 1.3: effective permissions = role identity policies ∩ session policies."""
        role = world.role("Narrow", trusts(world.learner.iam_user_arn), inline=(allow("iam:ListRoles"),))
        session = world.assume_keys(role, Policy=policy(allow("iam:*")))
        with pytest.raises(ClientError) as raised:
            world.client("iam", session).list_users()
        code, message = error(raised)
        assert code == "AccessDenied"
        assert message.endswith("because no identity-based policy allows the iam:ListUsers action")

    def test_a_malformed_session_policy_is_refused(self, world):
        """Ref 1.6: MalformedPolicyDocument (the message describes the error; its text is not fixed)."""
        with pytest.raises(ClientError) as raised:
            world.assume(_admin_role(world), Policy='{"Version": "2012-10-17", "Statement": [')
        assert error(raised)[0] == "MalformedPolicyDocument"

    def test_the_packed_size_counts_the_session_policy(self, world):
        """Ref 1.2: PackedPolicySize, a percentage, is returned when a session policy is passed."""
        assumed = world.assume(_admin_role(world), Policy=policy(allow("iam:ListRoles")))
        assert 0 < assumed["PackedPolicySize"] <= 100


class ManagedSessionPolicyTests:
    def test_an_aws_managed_session_policy_narrows_the_session(self, world):
        session = world.assume_keys(_admin_role(world), PolicyArns=[{"arn": IAM_READ_ONLY}])
        assert world.client("iam", session).list_users()["Users"]

    def test_it_denies_what_it_does_not_allow(self, world):
        session = world.assume_keys(_admin_role(world), PolicyArns=[{"arn": IAM_READ_ONLY}])
        with pytest.raises(ClientError) as raised:
            world.client("iam", session).create_user(UserName="sneaky")
        code, message = error(raised)
        assert code == "AccessDenied"
        assert message.startswith(not_authorized(world.session_arn("Admin"), "iam:CreateUser", ""))

    def test_a_customer_managed_policy_in_the_roles_account_narrows_the_session(self, world):
        """Ref 1.1: PolicyArns name managed policies in the role's account."""
        arn = world.iam.create_policy(PolicyName="OnlyRoles", PolicyDocument=policy(allow("iam:ListRoles")))[
            "Policy"]["Arn"]
        session = world.assume_keys(_admin_role(world), PolicyArns=[{"arn": arn}])
        iam = world.client("iam", session)
        assert iam.list_roles()["Roles"]
        with pytest.raises(ClientError) as raised:
            iam.list_users()
        assert error(raised)[0] == "AccessDenied"

    def test_more_than_ten_managed_session_policies_are_refused(self, world):
        """Ref 1.1: up to 10 PolicyArns (the server's text for 11 is UNCONFIRMED: a 400 refusal)."""
        with pytest.raises(ClientError) as raised:
            world.assume(_admin_role(world), PolicyArns=[{"arn": arn} for arn in ELEVEN_MANAGED])
        assert status(raised) == 400

    def test_ten_managed_session_policies_are_accepted(self, world):
        assumed = world.assume(_admin_role(world), PolicyArns=[{"arn": arn} for arn in ELEVEN_MANAGED[:10]])
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn("Admin")
