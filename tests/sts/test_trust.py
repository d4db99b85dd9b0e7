"""AssumeRole: who the trust policy admits, same account and cross-account, and what the session looks like."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from sandbox.learners import learner_create
from tests.sts.conftest import (
    ORGANIZATION_ACCESS_ROLE,
    SESSION,
    Keys,
    allow,
    error,
    not_authorized,
    policy,
    trusts,
)

pytestmark = pytest.mark.django_db(transaction=True)


class SameAccountTrustTests:
    def test_a_trust_naming_the_user_lets_a_user_without_permissions_assume(self, world):
        """Ref 1.4 (2) / 7.3: a trust policy naming the user ARN is enough; no identity policy is needed."""
        plain = world.user("plain")
        role = world.role("Direct", trusts(plain.arn))
        assumed = world.assume(role, plain.keys)
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn("Direct")

    def test_a_trust_naming_the_account_refuses_a_user_without_permissions(self, world):
        """Ref 1.4 (1) / 7.3: trusting only the account root also needs an identity-policy Allow for sts:AssumeRole."""
        plain = world.user("plain")
        role = world.role("AccountWide", trusts(f"arn:aws:iam::{world.account}:root"))
        with pytest.raises(ClientError) as raised:
            world.assume(role, plain.keys)
        code, message = error(raised)
        assert code == "AccessDenied"
        # Whether STS appends "because no identity-based policy allows ..." here is UNCONFIRMED (ref 1.6).
        assert message.startswith(not_authorized(plain.arn, "sts:AssumeRole", role))

    def test_a_trust_naming_the_account_admits_a_user_whose_policy_allows_assume_role(self, world):
        """Ref 1.4 (1): account trust + identity Allow for sts:AssumeRole on the role."""
        role_arn = world.role_arn("AccountWide")
        user = world.user("deployer", allow("sts:AssumeRole", role_arn))
        world.role("AccountWide", trusts(world.account))
        assert world.assume(role_arn, user.keys)["AssumedRoleUser"]["Arn"] == world.session_arn("AccountWide")

    def test_an_identity_allow_alone_never_lets_an_untrusted_user_in(self, world):
        """Ref 1.4 / 7.1 (5): trust policies must explicitly allow the principal; an identity Allow is not enough."""
        someone = world.user("someone")
        intruder = world.user("intruder", allow("sts:AssumeRole"))
        role = world.role("Private", trusts(someone.arn))
        with pytest.raises(ClientError) as raised:
            world.assume(role, intruder.keys)
        assert error(raised) == ("AccessDenied", not_authorized(intruder.arn, "sts:AssumeRole", role))

    def test_temporary_credentials_start_with_asia_and_the_role_id_with_aroa(self, world):
        """Ref 1.2 / 5.5: temporary keys start `ASIA`; AssumedRoleId is `AROA...:SESSION`, the role's RoleId."""
        role = world.role("Ids", trusts(world.learner.iam_user_arn))
        assumed = world.assume(role)
        role_id = world.iam.get_role(RoleName="Ids")["Role"]["RoleId"]
        assert assumed["Credentials"]["AccessKeyId"].startswith("ASIA")
        assert role_id.startswith("AROA")
        assert assumed["AssumedRoleUser"]["AssumedRoleId"] == f"{role_id}:{SESSION}"

    def test_the_assumed_role_arn_leaves_out_the_role_path(self, world):
        """Ref 1.2: `arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION-NAME`, without the role's path."""
        role = world.role("Pathed", trusts(world.learner.iam_user_arn), path="/team/app/")
        assert role == world.role_arn("Pathed", path="/team/app/")
        assert world.assume(role)["AssumedRoleUser"]["Arn"] == world.session_arn("Pathed")

    def test_a_role_that_does_not_exist_is_access_denied_not_no_such_entity(self, world):
        """Ref 1.6: STS never reveals whether a role exists; a missing role is refused like an untrusting one."""
        missing = world.role_arn("NoSuchRole")
        with pytest.raises(ClientError) as raised:
            world.assume(missing)
        assert error(raised) == ("AccessDenied", not_authorized(world.learner.iam_user_arn, "sts:AssumeRole", missing))

    def test_a_role_does_not_trust_its_own_sessions_implicitly(self, world):
        """Ref 1.4: to re-assume the current role, its trust policy must name the role (or the account)."""
        role = world.role("Solo", trusts(world.learner.iam_user_arn), inline=(allow("sts:AssumeRole"),))
        session = world.assume_keys(role)
        with pytest.raises(ClientError) as raised:
            world.assume(role, session, session="again")
        assert error(raised) == ("AccessDenied", not_authorized(world.session_arn("Solo"), "sts:AssumeRole", role))

    def test_a_role_session_name_condition_can_require_the_user_name(self, world):
        """Ref 7.7: `StringLike sts:RoleSessionName ${aws:username}` makes the session name equal the user name."""
        alice = world.user("alice")
        condition = {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}
        role = world.role("Named", trusts(alice.arn, condition=condition))
        assert world.assume(role, alice.keys, session="alice")["AssumedRoleUser"]["Arn"] == world.session_arn(
            "Named", "alice")

    def test_a_role_session_name_condition_refuses_another_name(self, world):
        """Ref 7.7: same trust policy, a session name other than the caller's user name is refused."""
        alice = world.user("alice")
        condition = {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}
        role = world.role("Named", trusts(alice.arn, condition=condition))
        with pytest.raises(ClientError) as raised:
            world.assume(role, alice.keys, session="bob")
        assert error(raised) == ("AccessDenied", not_authorized(alice.arn, "sts:AssumeRole", role))


class ExternalIdTests:
    """Ref 3.1: `StringEquals sts:ExternalId`; the key is in the context only when the caller passes ExternalId."""

    CONDITION = {"StringEquals": {"sts:ExternalId": "partner-42"}}

    def _role(self, world, partner):
        return world.role("Partner", trusts(partner.arn, condition=self.CONDITION))

    def test_a_missing_external_id_is_refused(self, world):
        partner = world.user("partner")
        role = self._role(world, partner)
        with pytest.raises(ClientError) as raised:
            world.assume(role, partner.keys)
        assert error(raised) == ("AccessDenied", not_authorized(partner.arn, "sts:AssumeRole", role))

    def test_a_wrong_external_id_is_refused(self, world):
        partner = world.user("partner")
        role = self._role(world, partner)
        with pytest.raises(ClientError) as raised:
            world.assume(role, partner.keys, ExternalId="partner-43")
        assert error(raised) == ("AccessDenied", not_authorized(partner.arn, "sts:AssumeRole", role))

    def test_the_right_external_id_is_admitted(self, world):
        partner = world.user("partner")
        role = self._role(world, partner)
        assert world.assume(role, partner.keys, ExternalId="partner-42")["AssumedRoleUser"]["Arn"] == (
            world.session_arn("Partner"))

    def test_the_third_party_pattern_across_accounts(self, world):
        """Ref 3.1: the role in the customer's account trusts the third party's account with the external ID."""
        dev_iam = world.client("iam", world.admin_in("dev"))
        role = world.role("ThirdParty", trusts(world.account, condition=self.CONDITION), iam=dev_iam)
        with pytest.raises(ClientError) as raised:
            world.assume(role)
        assert error(raised)[0] == "AccessDenied"
        assert world.assume(role, ExternalId="partner-42")["AssumedRoleUser"]["Arn"] == world.session_arn(
            "ThirdParty", account=world.account_id("dev"))


class RecreatedPrincipalTests:
    """Ref 7.4: a user ARN in a trust policy is stored as the user's unique id; a new user of that name is another."""

    def _delete(self, world, user):
        world.iam.delete_access_key(UserName=user.name, AccessKeyId=user.keys.key_id)
        world.iam.delete_user(UserName=user.name)

    def test_a_recreated_user_no_longer_matches_the_trust_policy(self, world):
        old = world.user("temp")
        role = world.role("Pinned", trusts(old.arn))
        self._delete(world, old)
        again = world.user("temp")
        with pytest.raises(ClientError) as raised:
            world.assume(role, again.keys)
        assert error(raised) == ("AccessDenied", not_authorized(again.arn, "sts:AssumeRole", role))

    def test_the_trust_policy_then_shows_the_old_unique_id(self, world):
        old = world.user("temp")
        world.role("Pinned", trusts(old.arn))
        self._delete(world, old)
        document = world.iam.get_role(RoleName="Pinned")["Role"]["AssumeRolePolicyDocument"]
        assert document["Statement"][0]["Principal"]["AWS"] == old.user_id

    def test_a_recreated_role_no_longer_matches_a_trust_policy_naming_it(self, world):
        """Ref 7.4: the same for a role: a chain's next role stops trusting a deleted and re-created first role."""
        first_trust = trusts(world.learner.iam_user_arn)
        first = world.role("First", first_trust, inline=(allow("sts:AssumeRole"),))
        second = world.role("Second", trusts(first))
        assert world.assume(second, world.assume_keys(first))["AssumedRoleUser"]["Arn"] == world.session_arn("Second")
        world.iam.delete_role_policy(RoleName="First", PolicyName="inline")
        world.iam.delete_role(RoleName="First")
        again = world.role("First", first_trust, inline=(allow("sts:AssumeRole"),))
        with pytest.raises(ClientError) as raised:
            world.assume(second, world.assume_keys(again))
        assert error(raised) == ("AccessDenied", not_authorized(world.session_arn("First"), "sts:AssumeRole", second))

    def test_putting_the_arn_back_trusts_the_new_user(self, world):
        old = world.user("temp")
        role = world.role("Pinned", trusts(old.arn))
        self._delete(world, old)
        again = world.user("temp")
        world.iam.update_assume_role_policy(RoleName="Pinned", PolicyDocument=policy(trusts(again.arn)))
        assert world.assume(role, again.keys)["AssumedRoleUser"]["Arn"] == world.session_arn("Pinned")


class CrossAccountTrustTests:
    def test_the_management_administrator_assumes_organization_account_access_role(self, world):
        """Ref 1.4 cross-account: member accounts trust the management root; the admin's policy allows sts:*."""
        dev = world.account_id("dev")
        assumed = world.assume(world.role_arn(ORGANIZATION_ACCESS_ROLE, dev))
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn(ORGANIZATION_ACCESS_ROLE, account=dev)

    def test_the_member_account_session_acts_in_the_member_account(self, world):
        """Ref 1.3: the session has the role's permissions (AdministratorAccess) in the role's account."""
        session = world.admin_in("dev")
        names = [role["RoleName"] for role in world.client("iam", session).list_roles()["Roles"]]
        assert ORGANIZATION_ACCESS_ROLE in names

    def test_a_management_user_without_permissions_cannot_assume_into_dev(self, world):
        """Ref 1.4 / 7.2: cross-account, the caller's own account must allow sts:AssumeRole too."""
        plain = world.user("plain")
        role = world.role_arn(ORGANIZATION_ACCESS_ROLE, world.account_id("dev"))
        with pytest.raises(ClientError) as raised:
            world.assume(role, plain.keys)
        code, message = error(raised)
        assert code == "AccessDenied"
        assert message.startswith(not_authorized(plain.arn, "sts:AssumeRole", role))

    def test_a_management_user_allowed_on_the_dev_role_can_assume_it(self, world):
        """Ref 1.4: identity Allow on the role ARN in the caller's account + trust of the caller's account."""
        dev = world.account_id("dev")
        role = world.role_arn(ORGANIZATION_ACCESS_ROLE, dev)
        deployer = world.user("deployer", allow("sts:AssumeRole", role))
        assumed = world.client("sts", world.assume_keys(role, deployer.keys)).get_caller_identity()
        assert assumed["Account"] == dev

    def test_cross_account_trust_naming_the_user_still_needs_an_identity_allow(self, world):
        """Ref 1.4 / 7.2: naming the user ARN in another account's trust policy does not replace the identity Allow."""
        plain = world.user("plain")
        dev_iam = world.client("iam", world.admin_in("dev"))
        role = world.role("TrustsPlain", trusts(plain.arn), iam=dev_iam)
        with pytest.raises(ClientError) as raised:
            world.assume(role, plain.keys)
        code, message = error(raised)
        assert code == "AccessDenied"
        assert message.startswith(not_authorized(plain.arn, "sts:AssumeRole", role))

    def test_a_dev_role_not_trusting_the_management_account_refuses_even_the_administrator(self, world):
        """Ref 1.4: the trust policy must trust the caller's account or ARN, whatever the caller's permissions."""
        dev_iam = world.client("iam", world.admin_in("dev"))
        role = world.role("DevOnly", trusts(world.account_id("dev")), iam=dev_iam)
        with pytest.raises(ClientError) as raised:
            world.assume(role)
        assert error(raised) == ("AccessDenied", not_authorized(world.learner.iam_user_arn, "sts:AssumeRole", role))


class IsolationTests:
    """Another learner's accounts look like they do not exist: their roles are refused like missing ones."""

    def test_another_learners_role_is_refused_like_a_missing_role(self, world):
        dave = learner_create(username="dave")
        theirs = f"arn:aws:iam::{dave.home_account_id}:role/DavesRole"
        dave_world_iam = world.client("iam", Keys(dave.access_key_id, dave.secret_access_key))
        dave_world_iam.create_role(RoleName="DavesRole", AssumeRolePolicyDocument=policy(trusts(dave.home_account_id)))
        with pytest.raises(ClientError) as raised:
            world.assume(theirs)
        assert error(raised) == ("AccessDenied", not_authorized(world.learner.iam_user_arn, "sts:AssumeRole", theirs))

    def test_another_learners_organization_role_is_refused_like_a_missing_role(self, world):
        dave = learner_create(username="dave")
        dave_dev = next(account.account_id for account in dave.accounts if account.alias == "dev")
        real = f"arn:aws:iam::{dave_dev}:role/{ORGANIZATION_ACCESS_ROLE}"
        missing = f"arn:aws:iam::{dave_dev}:role/NoSuchRole"
        messages = []
        for arn in (real, missing):
            with pytest.raises(ClientError) as raised:
                world.assume(arn)
            messages.append(error(raised))
        assert messages == [
            ("AccessDenied", not_authorized(world.learner.iam_user_arn, "sts:AssumeRole", real)),
            ("AccessDenied", not_authorized(world.learner.iam_user_arn, "sts:AssumeRole", missing)),
        ]
