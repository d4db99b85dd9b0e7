"""MFA on AssumeRole and GetSessionToken (ref 3.2 / 4.3): aws:MultiFactorAuthPresent, codes, replay, MFA age.

TOTP time is stepped through `sandbox.mfa.totp_now`; every code is used at a fresh 30-second step.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.sts.conftest import (
    MFA_INVALID_CODE,
    MFA_UNKNOWN_DEVICE,
    Keys,
    allow,
    error,
    mfa_user,
    not_authorized,
    trusts,
)

pytestmark = pytest.mark.django_db(transaction=True)

MFA_PRESENT = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.fixture
def alice(world, totp):
    return mfa_user(world, totp, "alice", allow(["iam:ListUsers", "iam:ListRoles"]))


@pytest.fixture
def secure(world, alice):
    """A role that `alice` may assume only with MFA (the console's "Require MFA" condition, ref 3.2)."""
    return world.role("Secure", trusts(alice.user.arn, condition=MFA_PRESENT), inline=(allow("iam:ListRoles"),))


class AssumeRoleWithMfaTests:
    def test_without_a_code_the_mfa_condition_refuses(self, world, alice, secure):
        """Ref 3.2: aws:MultiFactorAuthPresent is absent for long-term keys, so the Bool condition fails."""
        with pytest.raises(ClientError) as raised:
            world.assume(secure, alice.user.keys)
        assert error(raised) == ("AccessDenied", not_authorized(alice.user.arn, "sts:AssumeRole", secure))

    def test_with_a_valid_code_the_role_is_assumed(self, world, alice, secure):
        assumed = world.assume(secure, alice.user.keys, SerialNumber=alice.serial, TokenCode=alice.code())
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn("Secure")

    def test_a_wrong_code_is_refused(self, world, alice, secure):
        right = alice.code()
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        with pytest.raises(ClientError) as raised:
            world.assume(secure, alice.user.keys, SerialNumber=alice.serial, TokenCode=wrong)
        assert error(raised) == ("AccessDenied", MFA_INVALID_CODE)

    def test_a_code_cannot_be_used_twice(self, world, alice, secure):
        code = alice.code()
        world.assume(secure, alice.user.keys, SerialNumber=alice.serial, TokenCode=code)
        with pytest.raises(ClientError) as raised:
            world.assume(secure, alice.user.keys, SerialNumber=alice.serial, TokenCode=code)
        assert error(raised)[0] == "AccessDenied"

    def test_another_users_device_cannot_be_used(self, world, alice, secure, totp):
        """A serial number not associated with the caller: "unable to validate MFA code"."""
        bob = mfa_user(world, totp, "bob")
        with pytest.raises(ClientError) as raised:
            world.assume(secure, alice.user.keys, SerialNumber=bob.serial, TokenCode=bob.code())
        assert error(raised) == ("AccessDenied", MFA_UNKNOWN_DEVICE)

    def test_an_unknown_serial_number_cannot_be_used(self, world, alice, secure):
        unknown = f"arn:aws:iam::{world.account}:mfa/nobody"
        with pytest.raises(ClientError) as raised:
            world.assume(secure, alice.user.keys, SerialNumber=unknown, TokenCode=alice.code())
        assert error(raised) == ("AccessDenied", MFA_UNKNOWN_DEVICE)

    def test_the_session_is_recorded_as_mfa_authenticated(self, world, alice, secure):
        """Ref 8.2: sessionContext.attributes.mfaAuthenticated is "true" for calls made with an MFA session."""
        session = world.assume_keys(secure, alice.user.keys, SerialNumber=alice.serial, TokenCode=alice.code())
        world.client("iam", session).list_roles()
        [record] = [r for r in world.events("ListRoles") if r["userIdentity"].get("type") == "AssumedRole"]
        assert record["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] == "true"


class SessionTokenWithMfaTests:
    """Ref 4.3: GetSessionToken with MFA, then AssumeRole with those credentials (the typical MFA pattern)."""

    def _mfa_session(self, world, alice) -> Keys:
        return Keys.of(world.client("sts", alice.user.keys).get_session_token(
            SerialNumber=alice.serial, TokenCode=alice.code()))

    def test_an_mfa_session_assumes_the_mfa_role_without_a_new_code(self, world, alice, secure):
        assumed = world.assume(secure, self._mfa_session(world, alice))
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn("Secure")

    def test_a_session_without_mfa_does_not_satisfy_the_mfa_condition(self, world, alice, secure):
        plain = Keys.of(world.client("sts", alice.user.keys).get_session_token())
        with pytest.raises(ClientError) as raised:
            world.assume(secure, plain)
        assert error(raised) == ("AccessDenied", not_authorized(alice.user.arn, "sts:AssumeRole", secure))

    def test_an_mfa_session_can_call_iam(self, world, alice):
        """Ref 4.3: GetSessionToken credentials can call IAM only when MFA information was included."""
        users = world.client("iam", self._mfa_session(world, alice)).list_users()["Users"]
        assert "alice" in [user["UserName"] for user in users]

    def test_a_wrong_code_gets_no_session(self, world, alice):
        """Ref 4.3: "A wrong MFA code gives access denied"."""
        right = alice.code()
        with pytest.raises(ClientError) as raised:
            world.client("sts", alice.user.keys).get_session_token(
                SerialNumber=alice.serial, TokenCode=f"{(int(right) + 1) % 1_000_000:06d}")
        assert error(raised)[0] == "AccessDenied"


class MfaAgeTests:
    """Ref 3.2: aws:MultiFactorAuthAge, seconds since MFA authentication, with NumericLessThan."""

    @pytest.fixture
    def recent(self, world, alice):
        condition = {**MFA_PRESENT, "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}
        return world.role("Recent", trusts(alice.user.arn, condition=condition))

    def _mfa_session(self, world, alice) -> Keys:
        return Keys.of(world.client("sts", alice.user.keys).get_session_token(
            SerialNumber=alice.serial, TokenCode=alice.code()))

    def test_a_fresh_mfa_session_is_young_enough(self, world, alice, recent):
        session = self._mfa_session(world, alice)
        assert world.assume(recent, session)["AssumedRoleUser"]["Arn"] == world.session_arn("Recent")

    def test_an_mfa_session_older_than_the_limit_is_refused(self, world, alice, recent):
        session = self._mfa_session(world, alice)
        world.advance(3601)  # the 12-hour session is still valid; its MFA is an hour old
        with pytest.raises(ClientError) as raised:
            world.assume(recent, session)
        assert error(raised) == ("AccessDenied", not_authorized(alice.user.arn, "sts:AssumeRole", recent))
