"""SourceIdentity (ref 1.1): needs sts:SetSourceIdentity, is echoed, persists through role chaining, never changes.

Rules from the IAM User Guide page id_credentials_temp_control-access_monitor ("Monitor and control actions taken
with assumed roles"): in a chain, sts:SetSourceIdentity is needed in the calling role's permissions policy and in
the next role's trust policy; later requests carry the value as aws:SourceIdentity.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.sts.conftest import allow, error, not_authorized, status, trusts

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE_ACTIONS = ["sts:AssumeRole", "sts:SetSourceIdentity"]


def test_source_identity_without_set_source_identity_in_the_trust_policy_is_refused(world):
    """Ref 1.6: the refusal names sts:SetSourceIdentity."""
    user = world.user("alice")
    role = world.role("NoSource", trusts(user.arn))
    with pytest.raises(ClientError) as raised:
        world.assume(role, user.keys, SourceIdentity="alice")
    assert error(raised) == ("AccessDenied", not_authorized(user.arn, "sts:SetSourceIdentity", role))


def test_source_identity_is_echoed_when_set(world):
    """Ref 1.2: SourceIdentity is returned when set."""
    user = world.user("alice")
    role = world.role("Source", trusts(user.arn, SOURCE_ACTIONS))
    assert world.assume(role, user.keys, SourceIdentity="alice")["SourceIdentity"] == "alice"


def test_a_source_identity_beginning_with_aws_is_refused(world):
    """Ref 1.1: SourceIdentity must not begin with `aws:` (error code UNCONFIRMED: a 400 refusal)."""
    role = world.role("Source", trusts(world.learner.iam_user_arn, SOURCE_ACTIONS))
    with pytest.raises(ClientError) as raised:
        world.assume(role, SourceIdentity="aws:admin")
    assert status(raised) == 400


def test_the_trust_policy_can_require_a_source_identity_value(world):
    """sts:SourceIdentity in the trust policy (the User Guide's DevUser example): another value is refused."""
    user = world.user("alice")
    condition = {"StringEquals": {"sts:SourceIdentity": "alice"}}
    role = world.role("Source", trusts(user.arn, SOURCE_ACTIONS, condition))
    with pytest.raises(ClientError) as raised:
        world.assume(role, user.keys, SourceIdentity="mallory")
    assert error(raised)[0] == "AccessDenied"


class ChainedSourceIdentityTests:
    def _chain(self, world):
        first = world.role("First", trusts(world.learner.iam_user_arn, SOURCE_ACTIONS), inline=(allow("sts:*"),))
        second = world.role("Second", trusts(first, SOURCE_ACTIONS), inline=(
            allow("iam:ListRoles", condition={"StringEquals": {"aws:SourceIdentity": "alice"}}),))
        return world.assume_keys(first, SourceIdentity="alice"), second

    def test_the_source_identity_persists_into_the_next_session(self, world):
        session, second = self._chain(world)
        assert world.client("iam", world.assume_keys(second, session)).list_roles()["Roles"]

    def test_later_calls_carry_the_source_identity_in_cloudtrail(self, world):
        """Ref 8.5: sessionContext.sourceIdentity on calls made with the session."""
        session, second = self._chain(world)
        world.client("iam", world.assume_keys(second, session, session="hop")).list_roles()
        [record] = [r for r in world.events("ListRoles") if r["userIdentity"].get("type") == "AssumedRole"]
        assert record["userIdentity"]["sessionContext"]["sourceIdentity"] == "alice"

    def test_the_source_identity_cannot_be_changed_in_the_chain(self, world):
        """The value "cannot be changed during the role session" (error code UNCONFIRMED)."""
        session, second = self._chain(world)
        with pytest.raises(ClientError):
            world.assume(second, session, SourceIdentity="mallory")
