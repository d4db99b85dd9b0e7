"""Action, Resource and Principal matching, ARN segments and policy variables."""

from __future__ import annotations

import pytest

from iam import Context, PolicyVersion, Principal, PrincipalKind, PrincipalMatch, PrincipalValue
from iam.matching import (
    Template,
    UnresolvedVariable,
    action_matches,
    arn_account,
    arn_segments,
    not_principal_exempts,
    principal_value_match,
    resolve,
    resolve_resource,
    resource_matches,
)

V2012 = PolicyVersion.V2012_10_17


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("s3:GetObject", "S3:getobject", True),
        ("s3:get*", "s3:GetObjectAcl", True),
        ("iam:*AccessKey*", "iam:CreateAccessKey", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObbject", False),
        ("*", "ec2:RunInstances", True),
        ("s3:*", "s3express:CreateSession", False),
        ("s3:GetObject", "s3:GetObjectAcl", False),
        ("s3:Get.bject", "s3:GetObject", False),
    ],
)
def test_action_matching(pattern, action, expected):
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("*", "arn:aws:s3:::bucket/key", True),
        ("*", "*", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/a", False),
        ("arn:aws:s3:::bucket?", "arn:aws:s3:::bucket1", True),
        ("arn:aws:s3:::bucket?", "arn:aws:s3:::bucket12", False),
        ("arn:aws:s3:::*", "arn:aws:s3:::bucket/key:with:colons", True),
        ("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/Dev", True),
        ("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:user/alice", False),
        ("arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", True),
        ("arn:aws:sns:*:111122223333:*", "arn:aws:sns:us-east-1:444455556666:111122223333:t", False),
        ("arn:aws:s3:*:*:*", "arn:aws:s3:::bucket", True),
        ("arn:aws:iam::111122223333:*", "*", False),
    ],
)
def test_resource_matching_is_case_sensitive_and_segment_wise(pattern, resource, expected):
    assert resource_matches(Template.plain(pattern), resource) is expected


class ArnTests:
    def test_segments_keep_colons_in_the_resource_part(self):
        assert arn_segments("arn:aws:s3:::b/k:1") == ("arn", "aws", "s3", "", "", "b/k:1")

    def test_non_arns_have_no_segments(self):
        assert (arn_segments("bucket"), arn_segments("arn:aws:s3")) == (None, None)

    def test_account_of_an_arn(self):
        assert arn_account("arn:aws:iam::111122223333:role/Dev") == "111122223333"

    def test_bucket_arns_have_no_account(self):
        assert arn_account("arn:aws:s3:::bucket") is None


class VariableTests:
    def test_variables_are_replaced_by_context_values(self):
        template = resolve(
            "home/${aws:username}/*", context=Context.from_mapping({"aws:username": "al*ce"}), version=V2012
        )
        assert template.text == "home/al*ce/*"

    def test_a_variable_value_is_literal_not_a_wildcard(self):
        template = resolve("home/${aws:username}", context=Context.from_mapping({"aws:username": "a*"}), version=V2012)
        assert (template.matches("home/a*"), template.matches("home/ab")) == (True, False)

    def test_variable_names_are_case_insensitive(self):
        template = resolve("${AWS:UserName}", context=Context.from_mapping({"aws:username": "alice"}), version=V2012)
        assert template.text == "alice"

    @pytest.mark.parametrize(("escape", "text"), [("${*}", "*"), ("${?}", "?"), ("${$}", "$")])
    def test_escapes_are_literal_characters(self, escape, text):
        template = resolve(f"a{escape}b", context=Context(), version=V2012)
        assert (template.text, template.matches(f"a{text}b"), template.matches("axb")) == (f"a{text}b", True, False)

    def test_default_value_when_the_key_is_missing(self):
        template = resolve("${aws:PrincipalTag/team, 'company-wide'}", context=Context(), version=V2012)
        assert template.text == "company-wide"

    def test_default_value_is_ignored_when_the_key_is_present(self):
        context = Context.from_mapping({"aws:PrincipalTag/team": "blue"})
        assert resolve("${aws:PrincipalTag/team,'x'}", context=context, version=V2012).text == "blue"

    def test_a_missing_key_without_default_cannot_be_resolved(self):
        with pytest.raises(UnresolvedVariable) as caught:
            resolve("home/${aws:username}", context=Context(), version=V2012)
        assert caught.value.variable == "${aws:username}"

    def test_a_multivalued_key_cannot_be_a_variable(self):
        with pytest.raises(UnresolvedVariable):
            resolve("${aws:TagKeys}", context=Context.from_mapping({"aws:TagKeys": ["a", "b"]}), version=V2012)

    def test_a_malformed_variable_cannot_be_resolved(self):
        with pytest.raises(UnresolvedVariable):
            resolve("${aws:username, no-quotes}", context=Context.from_mapping({"aws:username": "a"}), version=V2012)

    def test_version_2008_keeps_the_text(self):
        template = resolve("${aws:username}", context=Context(), version=PolicyVersion.V2008_10_17)
        assert template.text == "${aws:username}"

    def test_split_keeps_variable_values_whole(self):
        context = Context.from_mapping({"aws:PrincipalAccount": "1:2"})
        template = resolve("arn:aws:iam::${aws:PrincipalAccount}:role/a:b", context=context, version=V2012)
        assert [part.text for part in template.split(":", 5)] == ["arn", "aws", "iam", "", "1:2", "role/a:b"]


ALICE = Principal.aws("arn:aws:iam::111122223333:user/alice", unique_id="AIDAEXAMPLEALICE12345")
SESSION = Principal.aws("arn:aws:sts::111122223333:assumed-role/Dev/s1", unique_id="AROAEXAMPLEDEVROLE123:s1")
EC2 = Principal.service("ec2.amazonaws.com")
GOOGLE = Principal.federated("accounts.google.com")


def aws(value):
    return PrincipalValue(PrincipalKind.AWS, value)


@pytest.mark.parametrize(
    ("value", "principal", "expected"),
    [
        (aws("*"), ALICE, PrincipalMatch.WILDCARD),
        (aws("*"), None, PrincipalMatch.WILDCARD),
        (aws("*"), EC2, PrincipalMatch.WILDCARD),
        (aws("111122223333"), ALICE, PrincipalMatch.ACCOUNT),
        (aws("arn:aws:iam::111122223333:root"), SESSION, PrincipalMatch.ACCOUNT),
        (aws("444455556666"), ALICE, PrincipalMatch.NONE),
        (aws("arn:aws:iam::111122223333:user/alice"), ALICE, PrincipalMatch.EXACT),
        (aws("arn:aws:iam::111122223333:user/Alice"), ALICE, PrincipalMatch.NONE),
        (aws("AIDAEXAMPLEALICE12345"), ALICE, PrincipalMatch.EXACT),
        (aws("arn:aws:iam::111122223333:role/Dev"), SESSION, PrincipalMatch.ROLE),
        (aws("AROAEXAMPLEDEVROLE123"), SESSION, PrincipalMatch.ROLE),
        (aws("arn:aws:sts::111122223333:assumed-role/Dev/s1"), SESSION, PrincipalMatch.EXACT),
        (aws("arn:aws:sts::111122223333:assumed-role/Dev/s2"), SESSION, PrincipalMatch.NONE),
        (
            aws("arn:aws:iam::111122223333:role/Dev"),
            Principal.aws("arn:aws:iam::111122223333:role/Dev"),
            PrincipalMatch.ROLE,
        ),
        (aws("arn:aws:iam::111122223333:user/alice"), None, PrincipalMatch.NONE),
        (aws("111122223333"), EC2, PrincipalMatch.NONE),
        (PrincipalValue(PrincipalKind.SERVICE, "ec2.amazonaws.com"), EC2, PrincipalMatch.EXACT),
        (PrincipalValue(PrincipalKind.SERVICE, "lambda.amazonaws.com"), EC2, PrincipalMatch.NONE),
        (PrincipalValue(PrincipalKind.FEDERATED, "accounts.google.com"), GOOGLE, PrincipalMatch.EXACT),
        (PrincipalValue(PrincipalKind.FEDERATED, "accounts.google.com"), EC2, PrincipalMatch.NONE),
    ],
)
def test_principal_matching(value, principal, expected):
    assert principal_value_match(value, principal) is expected


class PrincipalTests:
    def test_account_is_derived_from_the_arn(self):
        assert (ALICE.account, SESSION.account, Principal.aws("111122223333").account) == (
            "111122223333",
            "111122223333",
            "111122223333",
        )

    def test_a_session_knows_its_role(self):
        assert (SESSION.role_arn, SESSION.is_role_session) == ("arn:aws:iam::111122223333:role/Dev", True)

    def test_a_user_has_no_role(self):
        assert (ALICE.role_arn, ALICE.is_role_session, ALICE.is_federated_user) == (None, False, False)

    def test_a_federated_user_session(self):
        carol = Principal.aws("arn:aws:sts::111122223333:federated-user/carol")
        assert (carol.is_federated_user, carol.role_arn) == (True, None)

    def test_service_principals_have_no_account(self):
        assert (EC2.account, EC2.role_arn) == (None, None)

    def test_unknown_text_has_no_account(self):
        assert Principal.aws("someone").account is None


class ResourceVariableTests:
    """Variables only in the resource part of an ARN (after the fifth colon)."""

    def test_a_variable_in_the_resource_part_is_substituted(self):
        context = Context.from_mapping({"aws:username": "alice"})
        template = resolve_resource(
            "arn:aws:s3:::home/${aws:username}/*", context=context, version=PolicyVersion.V2012_10_17
        )
        assert template.text == "arn:aws:s3:::home/alice/*"

    def test_a_variable_before_the_fifth_colon_stays_literal(self):
        context = Context.from_mapping({"aws:PrincipalAccount": "111122223333"})
        text = "arn:aws:dynamodb:us-east-1:${aws:PrincipalAccount}:table/t"
        assert resolve_resource(text, context=context, version=PolicyVersion.V2012_10_17).text == text

    def test_a_colon_inside_a_variable_does_not_count(self):
        context = Context.from_mapping({"aws:userid": "AROAEXAMPLE:alice"})
        template = resolve_resource("arn:aws:s3:::${aws:userid}/*", context=context, version=PolicyVersion.V2012_10_17)
        assert template.split(":", 5)[-1].text == "AROAEXAMPLE:alice/*"


class NotPrincipalTests:
    """A Deny with NotPrincipal spares a caller only when every identity AWS checks is listed."""

    @pytest.mark.parametrize(
        ("values", "arn", "spared"),
        [
            (("arn:aws:iam::111122223333:user/bob", "111122223333"), "arn:aws:iam::111122223333:user/bob", True),
            (("arn:aws:iam::111122223333:user/bob", "111122223333"), "arn:aws:iam::111122223333:user/alice", False),
            (("arn:aws:iam::111122223333:user/bob",), "arn:aws:iam::111122223333:user/bob", False),
            (("111122223333",), "arn:aws:iam::111122223333:root", True),
            (("*",), "arn:aws:iam::111122223333:user/alice", True),
            (
                ("arn:aws:sts::111122223333:assumed-role/Dev/s", "arn:aws:iam::111122223333:role/Dev", "111122223333"),
                "arn:aws:sts::111122223333:assumed-role/Dev/s",
                True,
            ),
            (
                ("arn:aws:iam::111122223333:role/Dev", "111122223333"),
                "arn:aws:sts::111122223333:assumed-role/Dev/s",
                False,
            ),
        ],
    )
    def test_every_identity_must_be_listed(self, values, arn, spared):
        listed = tuple(PrincipalValue(PrincipalKind.AWS, value) for value in values)
        assert not_principal_exempts(listed, Principal.aws(arn)) is spared

    def test_an_anonymous_caller_is_spared_only_by_a_wildcard(self):
        assert not not_principal_exempts((PrincipalValue(PrincipalKind.AWS, "111122223333"),), None)
