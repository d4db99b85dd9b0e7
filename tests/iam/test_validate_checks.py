"""`validate_policy`'s warnings: trust policies, condition keys, iam:PassRole and statements that cover others."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iam import Decision, PolicyInputs, PolicyKind, Principal, Request, evaluate, parse_policy
from iam.matching import Template, action_matches, arn_matches
from iam.validate_checks import is_single_valued, matches_any_role
from iam.validate_cover import pattern_covers, statement_covers
from tests.iam.validation import (
    FAST,
    ME,
    PARTNER,
    RESOURCE,
    TRUST,
    C,
    allow,
    codes,
    doc,
    external_id,
    found,
    trust,
)


class TrustTests:
    @pytest.mark.parametrize(
        "principal",
        [PARTNER, f"arn:aws:iam::{PARTNER}:root", f"arn:aws:iam::{PARTNER}:role/Broker"],
    )
    def test_a_principal_of_another_account_needs_an_external_id(self, principal):
        assert codes(doc(trust({"AWS": principal})), TRUST, ME) == [
            (C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID, "$.Statement[0].Principal.AWS")
        ]

    def test_without_an_account_every_account_is_a_third_party(self):
        assert C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID in [c for c, _ in codes(doc(trust({"AWS": ME})), TRUST)]

    def test_each_external_principal_is_a_finding(self):
        document = doc(trust({"AWS": [ME, PARTNER, "999988887777"], "Service": "ec2.amazonaws.com"}))
        assert codes(document, TRUST, ME) == [
            (C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID, "$.Statement[0].Principal.AWS[1]"),
            (C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID, "$.Statement[0].Principal.AWS[2]"),
        ]

    @pytest.mark.parametrize(
        "condition",
        [
            external_id(operator="StringEqualsIfExists"),
            external_id(operator="ForAllValues:StringEquals"),
            external_id("*", operator="StringLike"),
            external_id(operator="StringNotEquals"),
            {"Condition": {"Null": {"sts:ExternalId": "false"}}},
        ],
    )
    def test_conditions_that_let_a_missing_or_any_external_id_through_do_not_count(self, condition):
        assert C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID in [
            c for c, _ in codes(doc(trust({"AWS": PARTNER}, **condition)), TRUST, ME)
        ]

    @pytest.mark.parametrize(
        "condition",
        [external_id(), external_id("partner-*", "StringLike"), external_id(operator="StringEqualsIgnoreCase")],
    )
    def test_a_condition_requiring_the_external_id_is_enough(self, condition):
        assert codes(doc(trust({"AWS": PARTNER}, **condition)), TRUST, ME) == []

    @pytest.mark.parametrize("action", ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"])
    def test_only_assume_role_is_the_confused_deputy_risk(self, action):
        assert codes(doc(trust({"AWS": PARTNER}, action)), TRUST, ME) == []

    def test_an_aws_wildcard_principal_is_open_to_everyone(self):
        assert codes(doc(trust({"AWS": "*"})), TRUST, ME) == [
            (C.TRUST_POLICY_OPEN_TO_EVERYONE, "$.Statement[0].Principal.AWS")
        ]

    def test_a_deny_to_everyone_is_not_open(self):
        document = doc(trust({"AWS": ME}), trust("*", effect="Deny", **external_id(operator="StringNotEquals")))
        assert codes(document, TRUST, ME) == []

    def test_open_and_external_checks_apply_to_trust_policies_only(self):
        document = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
        assert codes(document, RESOURCE, ME) == []


class ConditionTests:
    @pytest.mark.parametrize(
        ("key", "single"),
        [
            ("aws:username", True),
            ("AWS:SourceIP", True),
            ("sts:ExternalId", True),
            ("aws:PrincipalTag/team", True),
            ("aws:ResourceTag/Owner", True),
            ("aws:TagKeys", False),
            ("aws:PrincipalOrgPaths", False),
            ("sts:TransitiveTagKeys", False),
            ("s3:prefix", False),
        ],
    )
    def test_single_valued_keys(self, key, single):
        assert is_single_valued(key) is single

    def test_for_any_value_on_a_single_valued_key_is_not_flagged(self):
        document = doc(allow(Condition={"ForAnyValue:StringEquals": {"aws:username": ["alice"]}}))
        assert codes(document) == []


class PassRoleTests:
    @pytest.mark.parametrize(
        ("resource", "any_role"),
        [
            ("*", True),
            ("arn:aws:iam::*:role/*", True),
            (f"arn:aws:iam::{ME}:role/*", True),
            (f"arn:aws:iam::{ME}:*", True),
            ("arn:*:iam::*:role/*", True),
            (f"arn:aws:iam::{ME}:role/app-*", False),
            (f"arn:aws:iam::{ME}:role/service-role/*", False),
            ("arn:aws:s3:::*", False),
        ],
    )
    def test_resources_that_match_any_role(self, resource, any_role):
        assert matches_any_role(resource) is any_role

    def test_passed_to_service_narrows_pass_role_enough(self):
        condition = {"Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
        assert codes(doc(allow("iam:PassRole", "*", **condition))) == []

    @pytest.mark.parametrize("kind", [PolicyKind.BOUNDARY, PolicyKind.SCP, PolicyKind.SESSION])
    def test_policies_that_only_limit_permissions_are_not_flagged(self, kind):
        assert codes(doc(allow("*", "*")), kind) == []


patterns = st.one_of(st.text(alphabet="aB*?:", max_size=6), st.text(alphabet="ab*?:", max_size=8).map("arn:".__add__))
values = st.one_of(st.text(alphabet="abAB:", max_size=7), st.text(alphabet="ab:", max_size=9).map("arn:".__add__))


class StatementRelationTests:
    def test_an_allow_narrower_than_a_deny_is_unreachable_and_not_also_redundant(self):
        document = doc(allow(), allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:Get*", "Resource": "*"})
        assert codes(document) == [(C.UNREACHABLE_STATEMENT, "$.Statement[0]")]

    def test_a_deny_with_the_same_conditions_covers_an_allow(self):
        condition = {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
        document = doc(allow(**condition), {"Effect": "Deny", "Action": "*", "Resource": "*", **condition})
        assert codes(document) == [(C.UNREACHABLE_STATEMENT, "$.Statement[0]")]

    def test_a_deny_with_a_narrower_resource_does_not_cover(self):
        document = doc(allow(), {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::data/secret"})
        assert codes(document) == []

    def test_of_two_identical_statements_the_later_is_redundant(self):
        assert codes(doc(allow(Sid="A"), allow(Sid="B"))) == [(C.REDUNDANT_STATEMENT, "$.Statement[1]")]

    def test_a_statement_inside_a_wider_one_is_redundant(self):
        assert codes(doc(allow(), allow("s3:*", "*"))) == [(C.REDUNDANT_STATEMENT, "$.Statement[0]")]

    def test_an_allow_with_more_conditions_is_inside_one_with_fewer(self):
        condition = {"Condition": {"Bool": {"aws:SecureTransport": "true"}}}
        assert codes(doc(allow(), allow(**condition))) == [(C.REDUNDANT_STATEMENT, "$.Statement[1]")]

    def test_an_account_principal_covers_a_role_of_that_account(self):
        role = f"arn:aws:iam::{ME}:role/Deployer"
        document = doc(trust({"AWS": role}), trust({"AWS": f"arn:aws:iam::{ME}:root"}))
        assert codes(document, TRUST, ME) == [(C.REDUNDANT_STATEMENT, "$.Statement[0]")]

    def test_not_action_excluding_the_action_does_not_cover_it(self):
        document = doc(allow(), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"})
        assert codes(document) == []

    def test_not_action_excluding_something_else_covers_a_literal_action(self):
        document = doc(allow(), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})
        assert codes(document) == [(C.UNREACHABLE_STATEMENT, "$.Statement[0]")]

    def test_messages_name_the_statements(self):
        [finding] = found(doc(allow(Sid="Read"), {"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}))
        assert finding.message.startswith("statement `policy#Read` never allows anything: statement `policy#NoS3`")

    @pytest.mark.parametrize(
        ("outer", "inner", "covers"),
        [
            ("*", "s3:Get*", True),
            ("s3:*", "s3:Get*", True),
            ("s3:Get*", "s3:*", False),
            ("s3:Get?bject", "s3:Get*", False),
            ("s3:Get*", "s3:Get?bject", True),
            ("s3:Get?bject", "s3:Get?bject", True),
            ("arn:aws:s3:::data/*", "arn:aws:s3:::data/a/b", True),
            ("arn:aws:s3:*:*:data", "arn:aws:s3:::data", True),
            ("arn:aws:s3:::d*", "arn:aws:s3:us-east-1::data", False),
        ],
    )
    def test_pattern_covers(self, outer, inner, covers):
        assert pattern_covers(outer, inner) is covers

    @FAST
    @given(outer=patterns, inner=patterns, value=values)
    def test_pattern_covers_is_sound_for_resources(self, outer, inner, value):
        if pattern_covers(outer, inner) and arn_matches(Template.plain(inner), value):
            assert arn_matches(Template.plain(outer), value)

    @FAST
    @given(outer=patterns, inner=patterns, value=values)
    def test_pattern_covers_is_sound_for_actions(self, outer, inner, value):
        if pattern_covers(outer, inner, ignore_case=True) and action_matches(inner, value):
            assert action_matches(outer, value)

    def test_long_patterns_are_compared_quickly(self):
        assert pattern_covers("*a" * 5 + "b", "a" * 500) is False
        assert pattern_covers("*", "a" * 600) is False  # too long to compare: no claim


ACTIONS = ("s3:GetObject", "s3:PutObject", "iam:PassRole", "ec2:RunInstances")
RESOURCES = ("arn:aws:s3:::data/x", "arn:aws:s3:::other", f"arn:aws:iam::{ME}:role/R")
CONTEXTS = ({}, {"aws:SecureTransport": "true", "aws:PrincipalTag/team": "blue"}, {"aws:TagKeys": ["a", "b"]})
ALICE = Principal.aws(f"arn:aws:iam::{ME}:user/alice")
identity_statements = st.builds(
    lambda action_element, actions, resource_element, resources, condition: {
        "Effect": "Allow",
        action_element: actions,
        resource_element: resources,
        **({"Condition": condition} if condition else {}),
    },
    st.sampled_from(("Action", "NotAction")),
    st.lists(st.sampled_from(("*", "s3:*", "s3:Get*", "s3:GetObject", "iam:Pass*", "ec2:*")), min_size=1, max_size=2),
    st.sampled_from(("Resource", "NotResource")),
    st.lists(
        st.sampled_from(("*", "arn:aws:s3:::data/*", "arn:aws:s3:::*", f"arn:aws:iam::{ME}:role/*")),
        min_size=1,
        max_size=2,
    ),
    st.sampled_from(
        (
            None,
            {"Bool": {"aws:SecureTransport": "true"}},
            {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
        )
    ),
)


class CoverSoundnessTests:
    @FAST
    @given(outer=identity_statements, inner=identity_statements)
    def test_a_cover_means_the_engine_allows_whatever_the_inner_statement_allows(self, outer, inner):
        outer_policy, inner_policy = (parse_policy(doc(s), name="p") for s in (outer, inner))
        if not statement_covers(outer_policy.statements[0], inner_policy.statements[0]):
            return
        for action in ACTIONS:
            for resource in RESOURCES:
                for context in CONTEXTS:
                    request = Request(action, resource, principal=ALICE, context=context)
                    if evaluate(request, PolicyInputs(identity=(inner_policy,))).decision is Decision.ALLOW:
                        assert evaluate(request, PolicyInputs(identity=(outer_policy,))).decision is Decision.ALLOW
