"""`explain`: plain-language lines in Cedar's style."""

from __future__ import annotations

import re

import pytest

from iam import (
    ConditionTrace,
    Decision,
    Evaluation,
    PolicyInputs,
    PolicyKind,
    Principal,
    Request,
    evaluate,
    explain,
    parse_policy,
)
from iam.explain import describe_condition
from tests.iam.scenarios import build_inputs, build_request, load_cases

V = "2012-10-17"
ROLE = "arn:aws:iam::111122223333:role/Partner"
DEPLOYER = Principal.aws("arn:aws:iam::444455556666:user/deployer")
ASSUME_ANY = parse_policy(
    {"Version": V, "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}}, name="AssumeAny"
)
PARTNER_TRUST = parse_policy(
    {
        "Version": V,
        "Statement": [
            {
                "Sid": "TrustPartner",
                "Effect": "Allow",
                "Principal": {"AWS": "444455556666"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}},
            }
        ],
    },
    name="PartnerTrust",
    kind=PolicyKind.TRUST,
)


def assume(context=None, *, principal=DEPLOYER, trust=PARTNER_TRUST, identity=(ASSUME_ANY,)):
    request = Request(action="sts:AssumeRole", resource=ROLE, principal=principal, context=context or {})
    return explain(evaluate(request, PolicyInputs(identity=identity, resource=trust)))


class ExplainTests:
    def test_a_missing_external_id(self):
        assert assume() == (
            f"implicit deny: `arn:aws:iam::444455556666:user/deployer` may not perform `sts:AssumeRole` on `{ROLE}`",
            "no trust policy allows it",
            "statement `TrustPartner` requires `sts:ExternalId` = `partner-42`; the request had none",
        )

    def test_a_wrong_external_id(self):
        lines = assume({"sts:ExternalId": "partner-43"})
        assert (
            lines[-1]
            == "statement `TrustPartner` requires `sts:ExternalId` = `partner-42`; the request had `partner-43`"
        )

    def test_an_allow_names_every_statement_that_took_part(self):
        assert assume({"sts:ExternalId": "partner-42"}) == (
            f"allow: `arn:aws:iam::444455556666:user/deployer` may perform `sts:AssumeRole` on `{ROLE}`",
            "statement `TrustPartner` in the trust policy `PartnerTrust` allows it",
            "statement `AssumeAny#0` in the identity-based policy `AssumeAny` allows it",
        )

    def test_cross_account_needs_an_identity_based_policy(self):
        assert assume({"sts:ExternalId": "partner-42"}, identity=())[1:] == (
            "no identity-based policy allows it",
            "the request is cross-account, so an identity-based policy must allow it as well as the trust policy",
        )

    def test_an_account_trust_needs_an_identity_based_policy(self):
        alice = Principal.aws("arn:aws:iam::111122223333:user/alice")
        trust = parse_policy(
            {
                "Version": V,
                "Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"},
            },
            name="T",
            kind=PolicyKind.TRUST,
        )
        assert assume(principal=alice, trust=trust, identity=())[1:] == (
            "no identity-based policy allows it",
            "the trust policy trusts the whole account, so an identity-based policy must allow it too",
        )

    def test_a_principal_that_is_not_named(self):
        trust = parse_policy(
            {
                "Version": V,
                "Statement": {
                    "Sid": "TrustBob",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::444455556666:user/bob"},
                    "Action": "sts:AssumeRole",
                },
            },
            name="T",
            kind=PolicyKind.TRUST,
        )
        assert (
            assume(trust=trust)[-1]
            == "statement `TrustBob` does not name `arn:aws:iam::444455556666:user/deployer` as a principal"
        )

    def test_a_principal_from_another_account(self):
        trust = parse_policy(
            {
                "Version": V,
                "Statement": {
                    "Sid": "TrustOther",
                    "Effect": "Allow",
                    "Principal": {"AWS": ["777788889999", "arn:aws:iam::123456789012:role/X"]},
                    "Action": "sts:AssumeRole",
                },
            },
            name="T",
            kind=PolicyKind.TRUST,
        )
        assert assume(trust=trust)[-1] == (
            "statement `TrustOther` names principals in `123456789012`, `777788889999`, not in `444455556666`"
        )

    def test_an_explicit_deny(self):
        policy = parse_policy(
            {
                "Version": V,
                "Statement": [{"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}],
            },
            name="S3Policy",
        )
        request = Request(action="s3:DeleteObject", resource="arn:aws:s3:::b/k", principal=DEPLOYER)
        assert explain(evaluate(request, PolicyInputs(identity=(policy,)))) == (
            "explicit deny: `arn:aws:iam::444455556666:user/deployer` may not perform `s3:DeleteObject` "
            "on `arn:aws:s3:::b/k`",
            "statement `NoDeletes` in the identity-based policy `S3Policy` denies it",
        )

    def test_a_boundary_and_an_scp(self):
        allow_s3 = {"Version": V, "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
        request = Request(action="ec2:RunInstances", resource="*", principal=DEPLOYER)
        inputs = PolicyInputs(
            identity=(parse_policy({**allow_s3, "Statement": {**allow_s3["Statement"], "Action": "*"}}, name="Admin"),),
            boundary=parse_policy(allow_s3, name="B", kind=PolicyKind.BOUNDARY),
            scps=((parse_policy(allow_s3, name="Scp", kind=PolicyKind.SCP),),),
        )
        assert explain(evaluate(request, inputs))[1:] == (
            "a service control policy does not allow it",
            "the permissions boundary does not allow it",
        )

    def test_an_anonymous_caller(self):
        bucket = parse_policy(
            {
                "Version": V,
                "Statement": {
                    "Sid": "Alice",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
                    "Action": "s3:*",
                },
            },
            name="Bucket",
            kind=PolicyKind.RESOURCE,
        )
        lines = explain(
            evaluate(Request(action="s3:GetObject", resource="arn:aws:s3:::b/k"), PolicyInputs(resource=bucket))
        )
        assert lines == (
            "implicit deny: an anonymous caller may not perform `s3:GetObject` on `arn:aws:s3:::b/k`",
            "no resource-based policy allows it",
            "statement `Alice` does not name an anonymous caller as a principal",
        )

    def test_a_skipped_statement(self):
        policy = parse_policy(
            {
                "Version": V,
                "Statement": [
                    {
                        "Sid": "Home",
                        "Effect": "Allow",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::home/${aws:username}/*",
                    },
                    {
                        "Sid": "Few",
                        "Effect": "Allow",
                        "Action": "s3:*",
                        "Resource": "*",
                        "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}},
                    },
                ],
            },
            name="P",
        )
        session = Principal.aws("arn:aws:sts::111122223333:assumed-role/Dev/s")
        request = Request(
            action="s3:ListBucket", resource="arn:aws:s3:::home/x/y", principal=session, context={"s3:max-keys": 5}
        )
        assert explain(evaluate(request, PolicyInputs(identity=(policy,))))[-2:] == (
            "statement `Home` was skipped, so it neither allows nor denies: "
            "`${aws:username}` has no single value in the request",
            "statement `Few` was skipped, so it neither allows nor denies: "
            "`ten` is not a valid value for `NumericLessThan`",
        )


@pytest.mark.parametrize(
    ("operator", "values", "negated", "expected"),
    [
        ("StringEquals", ("a",), False, "`k:K` = `a`"),
        ("StringEquals", ("a", "b"), False, "`k:K` = one of `a`, `b`"),
        ("StringNotEquals", ("a", "b"), True, "`k:K` != each of `a`, `b`"),
        ("StringLikeIfExists", ("a*",), False, "`k:K` like `a*` (if present)"),
        ("ForAllValues:StringEquals", ("a",), False, "every value of `k:K` = `a`"),
        ("ForAnyValue:StringEquals", ("a",), False, "some value of `k:K` = `a`"),
        ("Null", ("true",), False, "`k:K` to be absent"),
        ("Null", ("false",), False, "`k:K` to be present"),
        ("DateLessThan", ("2024-01-01",), False, "`k:K` before `2024-01-01`"),
        ("NotIpAddress", ("10.0.0.0/8",), True, "`k:K` not in `10.0.0.0/8`"),
        ("StringEquals", (), False, "`k:K` = no value"),
    ],
)
def test_describe_condition(operator, values, negated, expected):
    trace = ConditionTrace(operator, "k:K", values, (), key_present=False, result=False, negated=negated)
    assert describe_condition(trace) == expected


PYTHON_WORDS = re.compile(r"\b(None|True|False|tuple|dict|list|str|int|NoneType|PolicyKind|Decision)\b|<|\bself\b")


@pytest.mark.parametrize("case", [pytest.param(case, id=case["name"]) for _, case in load_cases()])
def test_every_scenario_explains_in_cedar_style(case):
    evaluation: Evaluation = evaluate(build_request(case["request"]), build_inputs(case["policies"]))
    lines = explain(evaluation)
    assert lines[0].startswith(("allow:", "explicit deny:", "implicit deny:"))
    blocked_lines = len(evaluation.blocked_by) if evaluation.decision is Decision.IMPLICIT_DENY else 0
    assert len(lines) >= 1 + len(evaluation.reasons) + blocked_lines
    for line in lines:
        assert line[:1].islower() and not line.endswith("."), line
        assert not PYTHON_WORDS.search(_outside_backticks(line)), line
    assert (evaluation.decision is Decision.ALLOW) == lines[0].startswith("allow:")


def _outside_backticks(line):
    return " ".join(part for index, part in enumerate(line.split("`")) if index % 2 == 0)
