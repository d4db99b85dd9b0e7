"""Session lifetimes: DurationSeconds, the role's MaxSessionDuration, role chaining, expiry and revocation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.sts.conftest import (
    ADMINISTRATOR_ACCESS,
    CHAINING_LIMIT,
    EXPIRED,
    ROLE_MAXIMUM,
    Keys,
    about,
    allow,
    error,
    policy,
    sandbox_iso_now,
    trusts,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _role(world, name="Timed", **options):
    return world.role(name, trusts(world.learner.iam_user_arn), managed=(ADMINISTRATOR_ACCESS,), **options)


class DurationTests:
    def test_the_default_session_lasts_one_hour(self, world):
        """Ref 1.1: DurationSeconds defaults to 3600."""
        assumed = world.assume(_role(world))
        assert about(3600, assumed["Credentials"]["Expiration"])

    def test_900_seconds_is_the_minimum(self, world):
        """Ref 1.1: DurationSeconds 900-43200."""
        assumed = world.assume(_role(world), DurationSeconds=900)
        assert about(900, assumed["Credentials"]["Expiration"])

    def test_12_hours_with_a_12_hour_maximum_session_duration(self, world):
        """Ref 1.1 / 5.3: up to the role's MaxSessionDuration (3600-43200)."""
        assumed = world.assume(_role(world, max_session=43200), DurationSeconds=43200)
        assert about(43200, assumed["Credentials"]["Expiration"])

    def test_above_the_roles_maximum_is_a_validation_error(self, world):
        """Ref 1.6: exact text for a duration above the role's MaxSessionDuration (default 3600)."""
        with pytest.raises(ClientError) as raised:
            world.assume(_role(world), DurationSeconds=3601)
        assert error(raised) == ("ValidationError", ROLE_MAXIMUM)

    def test_raising_the_maximum_takes_effect_at_the_next_assumption(self, world):
        """Ref 5.4: UpdateRole MaxSessionDuration applies to the next AssumeRole."""
        role = _role(world)
        world.iam.update_role(RoleName="Timed", MaxSessionDuration=7200)
        assert about(7200, world.assume(role, DurationSeconds=7200)["Credentials"]["Expiration"])


class ChainingTests:
    """Ref 1.5: a role session assuming a role is role chaining, capped at one hour."""

    def _chain(self, world):
        first = world.role("First", trusts(world.learner.iam_user_arn), inline=(allow("sts:*"),))
        second = world.role("Second", trusts(first), max_session=43200, managed=(ADMINISTRATOR_ACCESS,))
        return world.assume_keys(first), second

    def test_a_chained_session_of_more_than_one_hour_is_refused(self, world):
        session, second = self._chain(world)
        with pytest.raises(ClientError) as raised:
            world.assume(second, session, DurationSeconds=3601)
        assert error(raised) == ("ValidationError", CHAINING_LIMIT)

    def test_a_chained_session_of_one_hour_is_allowed(self, world):
        session, second = self._chain(world)
        assumed = world.assume(second, session, DurationSeconds=3600)
        assert about(3600, assumed["Credentials"]["Expiration"])

    def test_a_chained_session_is_the_next_roles_session(self, world):
        """Ref 1.4: the trust policy naming the first role's ARN admits that role's sessions."""
        session, second = self._chain(world)
        identity = world.client("sts", world.assume_keys(second, session, session="hop")).get_caller_identity()
        assert identity["Arn"] == world.session_arn("Second", "hop")

    def test_the_first_assumption_from_user_keys_is_not_capped(self, world):
        """Ref 1.5: the one-hour cap does not apply to the first assumption from user credentials."""
        _, second = self._chain(world)
        world.iam.update_assume_role_policy(RoleName="Second", PolicyDocument=policy(
            trusts(world.learner.iam_user_arn)))
        assert about(7200, world.assume(second, DurationSeconds=7200)["Credentials"]["Expiration"])


class ExpiryTests:
    """Expired temporary credentials are refused with ExpiredToken (ref 1.6); the teaching clock moves time."""

    def test_a_session_works_until_it_expires(self, world):
        session = world.assume_keys(_role(world))
        world.advance(3500)
        assert world.client("iam", session).list_roles()["Roles"]

    def test_an_expired_session_is_refused_by_iam(self, world):
        session = world.assume_keys(_role(world))
        world.advance(3601)
        with pytest.raises(ClientError) as raised:
            world.client("iam", session).list_roles()
        assert error(raised) == ("ExpiredToken", EXPIRED)

    def test_an_expired_session_is_refused_by_sts_too(self, world):
        session = world.assume_keys(_role(world))
        world.advance(3601)
        with pytest.raises(ClientError) as raised:
            world.client("sts", session).get_caller_identity()
        assert error(raised) == ("ExpiredToken", EXPIRED)

    def test_the_lifetime_follows_duration_seconds(self, world):
        session = world.assume_keys(_role(world), DurationSeconds=900)
        world.advance(901)
        with pytest.raises(ClientError) as raised:
            world.client("iam", session).list_roles()
        assert error(raised)[0] == "ExpiredToken"

    def test_an_unknown_temporary_key_is_an_invalid_client_token_id(self, world):
        """Ref 1.6 / brief: a key STS never issued is not recognised at all."""
        stranger = Keys("ASIAZZZZZZZZZZZZZZZZ", "x" * 40, "not-a-real-session-token")
        with pytest.raises(ClientError) as raised:
            world.client("sts", stranger).get_caller_identity()
        assert error(raised)[0] == "InvalidClientTokenId"


class RevocationTests:
    """Ref 5.4: "Revoke active sessions" attaches AWSRevokeOlderSessions, denying sessions issued before a time."""

    def _revoke(self, world, role_name):
        statement = {"Effect": "Deny", "Action": ["*"], "Resource": ["*"],
                     "Condition": {"DateLessThan": {"aws:TokenIssueTime": sandbox_iso_now(world)}}}
        world.iam.put_role_policy(RoleName=role_name, PolicyName="AWSRevokeOlderSessions",
                                  PolicyDocument=policy(statement))

    def test_sessions_issued_before_the_revocation_are_denied(self, world):
        role = _role(world)
        old = world.assume_keys(role)
        world.advance(60)
        self._revoke(world, "Timed")
        with pytest.raises(ClientError) as raised:
            world.client("iam", old).list_roles()
        assert error(raised)[0] == "AccessDenied"

    def test_sessions_issued_after_the_revocation_work(self, world):
        role = _role(world)
        world.assume_keys(role)
        world.advance(60)
        self._revoke(world, "Timed")
        world.advance(60)
        fresh = world.assume_keys(role, session="fresh")
        assert world.client("iam", fresh).list_roles()["Roles"]

    def test_the_token_issue_time_follows_the_teaching_clock(self, world):
        """aws:TokenIssueTime is the sandbox time at issue: a session issued after a future revocation time works."""
        role = _role(world)
        statement = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
            "DateLessThan": {"aws:TokenIssueTime": sandbox_iso_now(world, timedelta(hours=1))}}}
        world.iam.put_role_policy(RoleName="Timed", PolicyName="AWSRevokeOlderSessions", PolicyDocument=policy(
            statement))
        world.advance(2 * 3600)
        assert world.client("iam", world.assume_keys(role)).list_roles()["Roles"]
