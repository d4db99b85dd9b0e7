"""Session tags (ref 2): sts:TagSession, tag conditions in trust policies, principal tags, transitive tags, limits."""
from __future__ import annotations

import random
import string

import pytest
from botocore.exceptions import ClientError

from tests.sts.conftest import allow, error, not_authorized, status, trusts

pytestmark = pytest.mark.django_db(transaction=True)

TAG_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]
# Recorded AWS answers (localstack/localstack tests/aws/services/sts/test_sts.snapshot.json, 2025).
TRANSITIVE_NOT_IN_TAGS = "The specified transitive tag key must be included in the requested tags."
DUPLICATE_KEYS = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
INHERITED_KEY_AGAIN = (
    "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the "
    "calling session."
)


def tag(key: str, value: str) -> dict[str, str]:
    return {"Key": key, "Value": value}


def team_is(value: str) -> dict:
    return {"StringEquals": {"aws:PrincipalTag/team": value}}


class TagSessionPermissionTests:
    def test_tags_without_tag_session_in_the_trust_policy_are_refused(self, world):
        """Ref 1.6 / 2.3: passing tags also needs sts:TagSession; the refusal names that action."""
        user = world.user("tagger")
        role = world.role("NoTags", trusts(user.arn))
        with pytest.raises(ClientError) as raised:
            world.assume(role, user.keys, Tags=[tag("team", "blue")])
        assert error(raised) == ("AccessDenied", not_authorized(user.arn, "sts:TagSession", role))

    def test_the_same_role_is_assumed_without_tags(self, world):
        """Ref 2.3: sts:TagSession is only needed when tags are passed."""
        user = world.user("tagger")
        role = world.role("NoTags", trusts(user.arn))
        assert world.assume(role, user.keys)["AssumedRoleUser"]["Arn"] == world.session_arn("NoTags")

    def test_tags_with_tag_session_allowed_are_accepted_and_the_packed_size_reported(self, world):
        """Ref 1.2: PackedPolicySize is the percentage of the packed limit used by session policies and tags."""
        user = world.user("tagger")
        role = world.role("Tags", trusts(user.arn, TAG_ACTIONS))
        assumed = world.assume(role, user.keys, Tags=[tag("team", "blue")])
        assert 0 <= assumed["PackedPolicySize"] <= 100


class TrustTagConditionTests:
    """Ref 2.3: aws:RequestTag/key and aws:TagKeys in the sts:TagSession statement of the trust policy."""

    def _role(self, world, user):
        return world.role(
            "Conditional",
            trusts(user.arn),
            trusts(user.arn, "sts:TagSession", {
                "StringEquals": {"aws:RequestTag/team": ["blue", "red"]},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
            }),
        )

    def test_a_listed_value_is_accepted(self, world):
        user = world.user("tagger")
        role = self._role(world, user)
        assert world.assume(role, user.keys, Tags=[tag("team", "red")])["AssumedRoleUser"]

    def test_another_value_is_refused_naming_tag_session(self, world):
        user = world.user("tagger")
        role = self._role(world, user)
        with pytest.raises(ClientError) as raised:
            world.assume(role, user.keys, Tags=[tag("team", "green")])
        assert error(raised) == ("AccessDenied", not_authorized(user.arn, "sts:TagSession", role))

    def test_a_key_outside_the_tag_keys_list_is_refused(self, world):
        user = world.user("tagger")
        role = self._role(world, user)
        with pytest.raises(ClientError) as raised:
            world.assume(role, user.keys, Tags=[tag("team", "blue"), tag("project", "apollo")])
        assert error(raised) == ("AccessDenied", not_authorized(user.arn, "sts:TagSession", role))


class PrincipalTagTests:
    """Ref 2.1 / 2.2: a session's aws:PrincipalTag values are its session tags, else the role's own tags."""

    def _role(self, world, user, tags=()):
        return world.role("Abac", trusts(user.arn, TAG_ACTIONS), inline=(allow("iam:ListRoles", condition=team_is(
            "blue")),), tags=tags)

    def test_a_session_tag_becomes_a_principal_tag(self, world):
        user = world.user("tagger")
        session = world.assume_keys(self._role(world, user), user.keys, Tags=[tag("team", "blue")])
        assert world.client("iam", session).list_roles()["Roles"]

    def test_another_session_tag_value_does_not_match(self, world):
        user = world.user("tagger")
        session = world.assume_keys(self._role(world, user), user.keys, Tags=[tag("team", "red")])
        with pytest.raises(ClientError) as raised:
            world.client("iam", session).list_roles()
        assert error(raised)[0] == "AccessDenied"

    def test_the_roles_own_tag_is_a_principal_tag_without_session_tags(self, world):
        user = world.user("tagger")
        session = world.assume_keys(self._role(world, user, tags=(tag("team", "blue"),)), user.keys)
        assert world.client("iam", session).list_roles()["Roles"]

    def test_a_session_tag_overrides_a_role_tag_whose_key_differs_only_in_case(self, world):
        """Ref 2.2: new session tags override role tags "with the same tag key, regardless of case"."""
        user = world.user("tagger")
        role = self._role(world, user, tags=(tag("Team", "red"),))
        session = world.assume_keys(role, user.keys, Tags=[tag("team", "blue")])
        assert world.client("iam", session).list_roles()["Roles"]


class TransitiveTagTests:
    """Ref 2.2 / 2.4: transitive session tags flow into the next session of a role chain; others do not."""

    def _chain(self, world, second_tags=()):
        first = world.role("First", trusts(world.learner.iam_user_arn, TAG_ACTIONS), inline=(allow("sts:*"),))
        second = world.role("Second", trusts(first, TAG_ACTIONS), tags=second_tags, inline=(
            allow("iam:ListRoles", condition=team_is("blue")),
            allow("iam:ListUsers", condition={"StringEquals": {"aws:PrincipalTag/project": "apollo"}}),
        ))
        session = world.assume_keys(first, Tags=[tag("team", "blue"), tag("project", "apollo")],
                                    TransitiveTagKeys=["team"])
        return session, second

    def test_a_transitive_tag_flows_into_the_next_session(self, world):
        session, second = self._chain(world)
        assert world.client("iam", world.assume_keys(second, session)).list_roles()["Roles"]

    def test_a_non_transitive_tag_does_not_flow(self, world):
        session, second = self._chain(world)
        with pytest.raises(ClientError) as raised:
            world.client("iam", world.assume_keys(second, session)).list_users()
        assert error(raised)[0] == "AccessDenied"

    def test_an_inherited_transitive_tag_overrides_the_next_roles_tag(self, world):
        """Ref 2.4: the inherited `Star=1` overrides the role's `Star=3`."""
        session, second = self._chain(world, second_tags=(tag("team", "red"),))
        assert world.client("iam", world.assume_keys(second, session)).list_roles()["Roles"]

    @pytest.mark.parametrize("key", ["team", "TEAM"])
    def test_an_inherited_transitive_key_cannot_be_passed_again(self, world, key):
        """Ref 2.2 / 2.4: passing a session tag with an inherited key fails (recorded AWS text), ignoring case."""
        session, second = self._chain(world)
        with pytest.raises(ClientError) as raised:
            world.assume(second, session, Tags=[tag(key, "red")])
        assert error(raised) == ("InvalidParameterValue", INHERITED_KEY_AGAIN)


class TagValidationTests:
    """Ref 1.1 / 2.2: at most 50 tags, keys 1-128 and values 0-256 characters, no `aws:` prefix, one key per case."""

    def _role(self, world):
        return world.role("Tags", trusts(world.learner.iam_user_arn, TAG_ACTIONS))

    def test_51_tags_are_refused(self, world):
        with pytest.raises(ClientError) as raised:
            world.assume(self._role(world), Tags=[tag(f"k{n}", "v") for n in range(51)])
        assert error(raised)[0] == "ValidationError"

    def test_a_129_character_key_is_refused(self, world):
        with pytest.raises(ClientError) as raised:
            world.assume(self._role(world), Tags=[tag("k" * 129, "v")])
        assert error(raised)[0] == "ValidationError"

    def test_a_257_character_value_is_refused(self, world):
        with pytest.raises(ClientError) as raised:
            world.assume(self._role(world), Tags=[tag("team", "v" * 257)])
        assert error(raised)[0] == "ValidationError"

    def test_a_key_with_the_aws_prefix_is_refused(self, world):
        """Ref 2.2 (id_tags rules): keys must not begin with `aws:` (error code UNCONFIRMED: a 400 refusal)."""
        with pytest.raises(ClientError) as raised:
            world.assume(self._role(world), Tags=[tag("aws:team", "blue")])
        assert status(raised) == 400

    def test_keys_differing_only_in_case_are_duplicates(self, world):
        with pytest.raises(ClientError) as raised:
            world.assume(self._role(world), Tags=[tag("Team", "blue"), tag("team", "red")])
        assert error(raised) == ("InvalidParameterValue", DUPLICATE_KEYS)

    def test_a_transitive_key_must_be_one_of_the_tags(self, world):
        with pytest.raises(ClientError) as raised:
            world.assume(self._role(world), Tags=[tag("team", "blue")], TransitiveTagKeys=["project"])
        assert error(raised) == ("InvalidParameterValue", TRANSITIVE_NOT_IN_TAGS)

    def test_transitive_keys_match_tag_keys_ignoring_case(self, world):
        """Recorded AWS behaviour (localstack test_assume_role_tag_validation): `sessiontag1` names `SessionTag1`."""
        assumed = world.assume(self._role(world), Tags=[tag("SessionTag1", "v")], TransitiveTagKeys=["sessiontag1"])
        assert assumed["AssumedRoleUser"]["Arn"] == world.session_arn("Tags")

    def test_long_tags_overflow_the_packed_size(self, world):
        """Ref 1.6 / 2.2: nine 250-character values consumed 498 %; the message gives the percentage."""
        rng = random.Random(7)  # incompressible values, as real tag values are
        values = ["".join(rng.choices(string.ascii_letters + string.digits, k=250)) for _ in range(9)]
        with pytest.raises(ClientError) as raised:
            world.assume(self._role(world), Tags=[tag(f"key{n}", value) for n, value in enumerate(values)])
        code, message = error(raised)
        assert code == "PackedPolicyTooLarge"
        assert message.startswith("Packed size of session tags consumes ")
        assert message.endswith("% of allotted space.")
