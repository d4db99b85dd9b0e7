"""GetSessionToken (ref 4.3) and GetCallerIdentity for users, role sessions and session-token sessions."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.sts.conftest import (
    ADMINISTRATOR_ACCESS,
    EXPIRED,
    INVALID_TOKEN,
    ORGANIZATION_ACCESS_ROLE,
    SESSION,
    SESSION_CREDENTIALS_GST,
    Keys,
    about,
    deny,
    error,
    trusts,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _session_token(world, keys=None, **params) -> dict:
    return world.client("sts", keys).get_session_token(**params)


class SessionTokenDurationTests:
    def test_the_default_is_12_hours(self, world):
        """Ref 4.3: DurationSeconds 900-129600, default 43200 for IAM users."""
        assert about(43200, _session_token(world)["Credentials"]["Expiration"])

    def test_36_hours_is_the_maximum(self, world):
        assert about(129600, _session_token(world, DurationSeconds=129600)["Credentials"]["Expiration"])

    def test_900_seconds_is_the_minimum(self, world):
        assert about(900, _session_token(world, DurationSeconds=900)["Credentials"]["Expiration"])

    def test_above_36_hours_is_a_validation_error(self, world):
        """Ref 4.3 model maximum 129600 (server text UNCONFIRMED: code only)."""
        with pytest.raises(ClientError) as raised:
            _session_token(world, DurationSeconds=129601)
        assert error(raised)[0] == "ValidationError"

    def test_below_900_seconds_is_a_validation_error(self, world):
        with pytest.raises(ClientError) as raised:
            world.unchecked("sts").get_session_token(DurationSeconds=899)
        assert error(raised)[0] == "ValidationError"

    def test_an_expired_session_token_is_refused(self, world):
        """Ref 1.6: ExpiredToken once the teaching clock passes the expiry."""
        session = Keys.of(_session_token(world, DurationSeconds=900))
        world.advance(901)
        with pytest.raises(ClientError) as raised:
            world.client("sts", session).get_caller_identity()
        assert error(raised) == ("ExpiredToken", EXPIRED)


class SessionTokenLimitsTests:
    """Ref 4.3: what GetSessionToken credentials may call without MFA."""

    def test_session_token_credentials_cannot_call_get_session_token(self, world):
        session = Keys.of(_session_token(world))
        with pytest.raises(ClientError) as raised:
            world.client("sts", session).get_session_token()
        assert error(raised) == ("AccessDenied", SESSION_CREDENTIALS_GST)

    def test_role_session_credentials_cannot_call_get_session_token(self, world):
        """Ref 1.3: role credentials can call any API except GetFederationToken and GetSessionToken."""
        role = world.role("Any", trusts(world.learner.iam_user_arn), managed=(ADMINISTRATOR_ACCESS,))
        with pytest.raises(ClientError) as raised:
            world.client("sts", world.assume_keys(role)).get_session_token()
        assert error(raised) == ("AccessDenied", SESSION_CREDENTIALS_GST)

    def test_without_mfa_they_cannot_call_iam(self, world):
        session = Keys.of(_session_token(world))
        with pytest.raises(ClientError) as raised:
            world.client("iam", session).list_roles()
        code, message = error(raised)
        assert code == "InvalidClientTokenId"
        assert message.startswith(INVALID_TOKEN)

    def test_without_mfa_they_can_call_get_caller_identity(self, world):
        identity = world.client("sts", Keys.of(_session_token(world))).get_caller_identity()
        assert identity["Arn"] == world.learner.iam_user_arn

    def test_without_mfa_they_can_assume_a_role(self, world):
        """Ref 4.3: "sts:AssumeRole is allowed with GetSessionToken credentials"."""
        role = world.role("Any", trusts(world.account))
        assumed = world.assume(role, Keys.of(_session_token(world)))
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn("Any")

    def test_they_act_with_the_users_permissions(self, world):
        """Ref 4.3: the credentials have the calling user's permissions (here cross-account AssumeRole)."""
        dev = world.account_id("dev")
        session = Keys.of(_session_token(world))
        assumed = world.assume(world.role_arn(ORGANIZATION_ACCESS_ROLE, dev), session)
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn(ORGANIZATION_ACCESS_ROLE, account=dev)


class CallerIdentityTests:
    """GetCallerIdentity needs no permission and names the principal the credentials act as."""

    def test_a_user(self, world):
        identity = world.sts.get_caller_identity()
        user = world.iam.get_user(UserName=world.learner.iam_user_arn.rsplit("/", 1)[1])["User"]
        assert (identity["Arn"], identity["Account"], identity["UserId"]) == (
            world.learner.iam_user_arn, world.account, user["UserId"])
        assert identity["UserId"].startswith("AIDA")

    def test_a_role_session(self, world):
        """Ref 1.2: UserId is `AROA...:SESSION-NAME`; Arn the assumed-role ARN."""
        role = world.role("Viewer", trusts(world.learner.iam_user_arn))
        role_id = world.iam.get_role(RoleName="Viewer")["Role"]["RoleId"]
        identity = world.client("sts", world.assume_keys(role)).get_caller_identity()
        assert (identity["Arn"], identity["Account"], identity["UserId"]) == (
            world.session_arn("Viewer"), world.account, f"{role_id}:{SESSION}")

    def test_a_role_session_in_another_account(self, world):
        dev = world.account_id("dev")
        identity = world.client("sts", world.admin_in("dev")).get_caller_identity()
        assert (identity["Arn"], identity["Account"]) == (
            world.session_arn(ORGANIZATION_ACCESS_ROLE, "admin", account=dev), dev)

    def test_a_session_token_session_is_the_user(self, world):
        """Ref 4.3 / 8.1: GetSessionToken credentials act as the IAM user."""
        plain = world.user("plain")
        identity = world.client("sts", Keys.of(_session_token(world, plain.keys))).get_caller_identity()
        assert (identity["Arn"], identity["UserId"]) == (plain.arn, plain.user_id)

    def test_works_even_when_the_role_denies_everything(self, world):
        """API_GetCallerIdentity: "No permissions are required ... you can still perform this operation"."""
        role = world.role("Denied", trusts(world.learner.iam_user_arn), inline=(deny("*"),))
        identity = world.client("sts", world.assume_keys(role)).get_caller_identity()
        assert identity["Arn"] == world.session_arn("Denied")

    def test_works_for_a_user_whose_policy_denies_it(self, world):
        blocked = world.user("blocked", deny("sts:GetCallerIdentity"))
        assert world.client("sts", blocked.keys).get_caller_identity()["Arn"] == blocked.arn

    def test_get_session_token_needs_no_permission_either(self, world):
        """Ref 4.3: "no permission is needed to call it"; a Deny on sts:GetSessionToken has no effect."""
        blocked = world.user("blocked", deny("sts:GetSessionToken"))
        assert _session_token(world, blocked.keys)["Credentials"]["AccessKeyId"].startswith("ASIA")
