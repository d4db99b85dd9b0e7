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


PYTHON_WORDS = re.compile(
    r"\b(None|True|False|tuple|dict|list|str|int|NoneType|PolicyKind|Decision|Rule)\b|<[A-Za-z]|\bself\b"
)


OUTCOMES = {
    "en": {
        Decision.ALLOW: "allow:",
        Decision.EXPLICIT_DENY: "explicit deny:",
        Decision.IMPLICIT_DENY: "implicit deny:",
    },
    "ko": {Decision.ALLOW: "허용:", Decision.EXPLICIT_DENY: "명시적 거부:", Decision.IMPLICIT_DENY: "묵시적 거부:"},
}
BACKTICKED = re.compile(r"`([^`]*)`")
SCENARIOS = [pytest.param(case, id=case["name"]) for _, case in load_cases()]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("case", SCENARIOS)
def test_every_scenario_explains_in_cedar_style(case, language):
    evaluation: Evaluation = evaluate(build_request(case["request"]), build_inputs(case["policies"]))
    lines = explain(evaluation, language=language)
    assert lines[0].startswith(OUTCOMES[language][evaluation.decision]), lines[0]
    blocked_lines = len(evaluation.blocked_by) if evaluation.decision is Decision.IMPLICIT_DENY else 0
    assert len(lines) >= 1 + len(evaluation.reasons) + blocked_lines + (evaluation.rule is not None)
    for line in lines:
        assert not line.endswith((".", "。")) and line == line.strip(), line
        assert line.count("`") % 2 == 0, line
        assert not PYTHON_WORDS.search(_outside_backticks(line)), line
        if language == "en":
            assert line[:1].islower(), line
        else:
            assert re.search("[가-힣]", _outside_backticks(line)), line


@pytest.mark.parametrize("case", SCENARIOS)
def test_korean_lines_carry_the_same_backticked_values_as_english(case):
    evaluation = evaluate(build_request(case["request"]), build_inputs(case["policies"]))
    english, korean = explain(evaluation), explain(evaluation, language="ko")
    assert [sorted(BACKTICKED.findall(line)) for line in korean] == [
        sorted(BACKTICKED.findall(line)) for line in english
    ]


def _outside_backticks(line):
    return " ".join(part for index, part in enumerate(line.split("`")) if index % 2 == 0)


ROOT = Principal.aws("arn:aws:iam::111122223333:root")


class RootUserExplainTests:
    def test_the_root_user_needs_no_identity_based_policy(self):
        request = Request(action="s3:DeleteBucket", resource="arn:aws:s3:::b", principal=ROOT)
        assert explain(evaluate(request, PolicyInputs())) == (
            "allow: `arn:aws:iam::111122223333:root` may perform `s3:DeleteBucket` on `arn:aws:s3:::b`",
            "the root user of account `111122223333` needs no identity-based policy: "
            "in its own account it may perform every action",
        )


class KoreanExplainTests:
    def test_a_missing_external_id(self):
        request = Request(action="sts:AssumeRole", resource=ROLE, principal=DEPLOYER)
        evaluation = evaluate(request, PolicyInputs(identity=(ASSUME_ANY,), resource=PARTNER_TRUST))
        assert explain(evaluation, language="ko") == (
            "묵시적 거부: `arn:aws:iam::444455556666:user/deployer` 호출자는 "
            f"`{ROLE}` 리소스에 대해 `sts:AssumeRole` 작업을 수행할 수 없습니다",
            "이를 허용하는 신뢰 정책이 없습니다",
            "`TrustPartner` 문은 `sts:ExternalId` 값이 `partner-42`이어야 하지만 요청에는 값이 없습니다",
        )

    def test_a_wrong_external_id(self):
        request = Request(
            action="sts:AssumeRole", resource=ROLE, principal=DEPLOYER, context={"sts:ExternalId": "partner-43"}
        )
        evaluation = evaluate(request, PolicyInputs(identity=(ASSUME_ANY,), resource=PARTNER_TRUST))
        assert explain(evaluation, language="ko")[-1] == (
            "`TrustPartner` 문은 `sts:ExternalId` 값이 `partner-42`이어야 하지만 요청의 값은 `partner-43`입니다"
        )

    def test_an_allow_names_every_statement_that_took_part(self):
        request = Request(
            action="sts:AssumeRole", resource=ROLE, principal=DEPLOYER, context={"sts:ExternalId": "partner-42"}
        )
        evaluation = evaluate(request, PolicyInputs(identity=(ASSUME_ANY,), resource=PARTNER_TRUST))
        assert explain(evaluation, language="ko")[1:] == (
            "신뢰 정책 `PartnerTrust`의 `TrustPartner` 문이 이를 허용합니다",
            "자격 증명 기반 정책 `AssumeAny`의 `AssumeAny#0` 문이 이를 허용합니다",
        )

    def test_cross_account_needs_an_identity_based_policy(self):
        request = Request(
            action="sts:AssumeRole", resource=ROLE, principal=DEPLOYER, context={"sts:ExternalId": "partner-42"}
        )
        evaluation = evaluate(request, PolicyInputs(resource=PARTNER_TRUST))
        assert explain(evaluation, language="ko")[1:] == (
            "이를 허용하는 자격 증명 기반 정책이 없습니다",
            "교차 계정 요청이므로 신뢰 정책뿐 아니라 자격 증명 기반 정책도 이를 허용해야 합니다",
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
        assert explain(evaluate(request, PolicyInputs(identity=(policy,))), language="ko")[1:] == (
            "자격 증명 기반 정책 `S3Policy`의 `NoDeletes` 문이 이를 거부합니다",
        )

    def test_a_boundary_and_an_scp(self):
        allow_s3 = {"Version": V, "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
        request = Request(action="ec2:RunInstances", resource="*", principal=DEPLOYER)
        inputs = PolicyInputs(
            identity=(parse_policy({**allow_s3, "Statement": {**allow_s3["Statement"], "Action": "*"}}, name="Admin"),),
            boundary=parse_policy(allow_s3, name="B", kind=PolicyKind.BOUNDARY),
            scps=((parse_policy(allow_s3, name="Scp", kind=PolicyKind.SCP),),),
        )
        assert explain(evaluate(request, inputs), language="ko")[1:] == (
            "서비스 제어 정책(SCP)이 이를 허용하지 않습니다",
            "권한 경계가 이를 허용하지 않습니다",
        )

    def test_an_anonymous_caller_and_a_principal_that_is_not_named(self):
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
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="arn:aws:s3:::b/k"), PolicyInputs(resource=bucket)
        )
        assert explain(evaluation, language="ko") == (
            "묵시적 거부: 익명 호출자는 `arn:aws:s3:::b/k` 리소스에 대해 `s3:GetObject` 작업을 수행할 수 없습니다",
            "이를 허용하는 리소스 기반 정책이 없습니다",
            "`Alice` 문이 지정한 보안 주체에 익명 호출자는 포함되지 않습니다",
        )

    def test_a_skipped_statement(self):
        policy = parse_policy(
            {
                "Version": V,
                "Statement": {
                    "Sid": "Few",
                    "Effect": "Allow",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}},
                },
            },
            name="P",
        )
        request = Request(action="s3:ListBucket", resource="*", principal=DEPLOYER, context={"s3:max-keys": 5})
        assert explain(evaluate(request, PolicyInputs(identity=(policy,))), language="ko")[-1] == (
            "`Few` 문은 평가할 수 없어 건너뛰었으므로 허용도 거부도 하지 않습니다: "
            "`ten` 값은 `NumericLessThan` 연산자에 사용할 수 없습니다"
        )

    def test_the_root_user_in_its_own_account(self):
        request = Request(action="s3:DeleteBucket", resource="arn:aws:s3:::b", principal=ROOT)
        assert explain(evaluate(request, PolicyInputs()), language="ko")[1:] == (
            "`111122223333` 계정의 루트 사용자에게는 자격 증명 기반 정책이 필요하지 않습니다: "
            "자기 계정에서는 모든 작업을 수행할 수 있습니다",
        )

    def test_the_root_user_cannot_assume_a_role(self):
        evaluation = evaluate(
            Request(action="sts:AssumeRole", resource=ROLE, principal=ROOT), PolicyInputs(resource=PARTNER_TRUST)
        )
        assert explain(evaluation, language="ko")[1:] == (
            "루트 사용자는 역할을 수임할 수 없습니다(STS 응답: `Roles may not be assumed by root accounts.`)",
        )
        assert explain(evaluation)[1:] == (
            "the root user cannot assume roles: STS answers `Roles may not be assumed by root accounts.`",
        )


@pytest.mark.parametrize(
    ("operator", "values", "negated", "expected"),
    [
        ("StringEquals", ("a",), False, "`k:K` 값이 `a`이어야"),
        ("StringEquals", ("a", "b"), False, "`k:K` 값이 `a`, `b` 중 하나여야"),
        ("StringNotEquals", ("a", "b"), True, "`k:K` 값이 `a`, `b` 외의 값이어야"),
        ("StringLikeIfExists", ("a*",), False, "`k:K` 키가 있으면 그 값이 패턴 `a*`에 일치해야"),
        ("ForAllValues:StringEquals", ("a",), False, "`k:K`의 모든 값이 `a`이어야"),
        ("ForAnyValue:StringEquals", ("a",), False, "`k:K`의 값 중 하나 이상이 `a`이어야"),
        ("Null", ("true",), False, "`k:K` 키가 없어야"),
        ("Null", ("false",), False, "`k:K` 키가 있어야"),
        ("NumericLessThan", ("10",), False, "`k:K` 값이 `10`보다 작아야"),
        ("DateLessThan", ("2024-01-01",), False, "`k:K` 값이 `2024-01-01`보다 이전이어야"),
        ("DateGreaterThanEquals", ("2024-01-01",), False, "`k:K` 값이 `2024-01-01` 또는 그 이후여야"),
        ("IpAddress", ("10.0.0.0/8",), False, "`k:K` 값이 `10.0.0.0/8` 범위 안에 있어야"),
        ("NotIpAddress", ("10.0.0.0/8",), True, "`k:K` 값이 `10.0.0.0/8` 범위 밖에 있어야"),
        ("ArnNotLike", ("arn:aws:iam::*:root",), True, "`k:K` 값이 패턴 `arn:aws:iam::*:root`에 일치하지 않아야"),
        ("StringEquals", (), False, "`k:K` 값이 (값 없음)이어야"),
    ],
)
def test_describe_condition_in_korean(operator, values, negated, expected):
    trace = ConditionTrace(operator, "k:K", values, (), key_present=False, result=False, negated=negated)
    assert describe_condition(trace, language="ko") == expected
