"""The words `explain` uses, in English and in Korean (AWS's Korean documentation terms)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from iam.model import ConditionOperator as Op
from iam.model import PolicyKind
from iam.results import Decision

Language = Literal["en", "ko"]
"""The languages `explain` speaks: `en` (English) and `ko` (Korean)."""


@dataclass(frozen=True, slots=True)
class Phrases:
    """One language's sentence templates; `{...}` fields are filled in, values arrive backticked."""

    language: Language
    kinds: Mapping[PolicyKind, str]
    outcomes: Mapping[Decision, str]
    may: str
    may_not: str
    caller: str
    anonymous: str
    allows: str
    denies: str
    boundary_blocks: str
    scp_blocks: str
    none_allows: str
    cross_account: str
    account_trust: str
    account_resource: str
    requires_had_none: str
    requires_had: str
    not_named: str
    other_accounts: str
    skipped: str
    statement: str
    a_statement: str
    unresolved: str
    invalid: str
    root_user: str
    root_cannot_assume: str


ENGLISH = Phrases(
    language="en",
    kinds={
        PolicyKind.IDENTITY: "identity-based policy",
        PolicyKind.RESOURCE: "resource-based policy",
        PolicyKind.TRUST: "trust policy",
        PolicyKind.BOUNDARY: "permissions boundary",
        PolicyKind.SESSION: "session policy",
        PolicyKind.SCP: "service control policy",
    },
    outcomes={
        Decision.ALLOW: "allow",
        Decision.EXPLICIT_DENY: "explicit deny",
        Decision.IMPLICIT_DENY: "implicit deny",
    },
    may="{outcome}: {caller} may perform `{action}` on `{resource}`",
    may_not="{outcome}: {caller} may not perform `{action}` on `{resource}`",
    caller="`{arn}`",
    anonymous="an anonymous caller",
    allows="{statement} in the {kind} `{policy}` allows it",
    denies="{statement} in the {kind} `{policy}` denies it",
    boundary_blocks="the permissions boundary does not allow it",
    scp_blocks="a service control policy does not allow it",
    none_allows="no {kind} allows it",
    cross_account="the request is cross-account, so an identity-based policy must allow it as well as the {kind}",
    account_trust="the trust policy trusts the whole account, so an identity-based policy must allow it too",
    account_resource=(
        "the resource-based policy grants access to the whole account, so an identity-based policy must allow it too"
    ),
    requires_had_none="{statement} requires {condition}; the request had none",
    requires_had="{statement} requires {condition}; the request had {values}",
    not_named="{statement} does not name {caller} as a principal",
    other_accounts="{statement} names principals in {accounts}, not in `{account}`",
    skipped="{statement} was skipped, so it neither allows nor denies: {why}",
    statement="statement `{label}`",
    a_statement="a statement",
    unresolved="`{subject}` has no single value in the request",
    invalid="`{subject}` is not a valid value for `{operator}`",
    root_user=(
        "the root user of account `{account}` needs no identity-based policy: "
        "in its own account it may perform every action"
    ),
    root_cannot_assume="the root user cannot assume roles: STS answers `Roles may not be assumed by root accounts.`",
)

KOREAN = Phrases(
    language="ko",
    kinds={
        PolicyKind.IDENTITY: "자격 증명 기반 정책",
        PolicyKind.RESOURCE: "리소스 기반 정책",
        PolicyKind.TRUST: "신뢰 정책",
        PolicyKind.BOUNDARY: "권한 경계",
        PolicyKind.SESSION: "세션 정책",
        PolicyKind.SCP: "서비스 제어 정책(SCP)",
    },
    outcomes={
        Decision.ALLOW: "허용",
        Decision.EXPLICIT_DENY: "명시적 거부",
        Decision.IMPLICIT_DENY: "묵시적 거부",
    },
    may="{outcome}: {caller}는 `{resource}` 리소스에 대해 `{action}` 작업을 수행할 수 있습니다",
    may_not="{outcome}: {caller}는 `{resource}` 리소스에 대해 `{action}` 작업을 수행할 수 없습니다",
    caller="`{arn}` 호출자",
    anonymous="익명 호출자",
    allows="{kind} `{policy}`의 {statement}이 이를 허용합니다",
    denies="{kind} `{policy}`의 {statement}이 이를 거부합니다",
    boundary_blocks="권한 경계가 이를 허용하지 않습니다",
    scp_blocks="서비스 제어 정책(SCP)이 이를 허용하지 않습니다",
    # Every kind but the permissions boundary (which has its own line) ends in 정책, so 이 fits.
    none_allows="이를 허용하는 {kind}이 없습니다",
    cross_account="교차 계정 요청이므로 {kind}뿐 아니라 자격 증명 기반 정책도 이를 허용해야 합니다",
    account_trust="신뢰 정책이 계정 전체를 신뢰하므로 자격 증명 기반 정책도 이를 허용해야 합니다",
    account_resource=(
        "리소스 기반 정책이 계정 전체에 액세스 권한을 부여하므로 자격 증명 기반 정책도 이를 허용해야 합니다"
    ),
    requires_had_none="{statement}은 {condition} 하지만 요청에는 값이 없습니다",
    requires_had="{statement}은 {condition} 하지만 요청의 값은 {values}입니다",
    not_named="{statement}이 지정한 보안 주체에 {caller}는 포함되지 않습니다",
    other_accounts="{statement}은 {accounts} 계정의 보안 주체를 지정하며 `{account}` 계정은 지정하지 않습니다",
    skipped="{statement}은 평가할 수 없어 건너뛰었으므로 허용도 거부도 하지 않습니다: {why}",
    statement="`{label}` 문",
    a_statement="어떤 문",
    unresolved="`{subject}`에 해당하는 단일 값이 요청에 없습니다",
    invalid="`{subject}` 값은 `{operator}` 연산자에 사용할 수 없습니다",
    root_user=(
        "`{account}` 계정의 루트 사용자에게는 자격 증명 기반 정책이 필요하지 않습니다: "
        "자기 계정에서는 모든 작업을 수행할 수 있습니다"
    ),
    root_cannot_assume=(
        "루트 사용자는 역할을 수임할 수 없습니다(STS 응답: `Roles may not be assumed by root accounts.`)"
    ),
)

PHRASES: Mapping[Language, Phrases] = {"en": ENGLISH, "ko": KOREAN}

COMPARISONS: Mapping[Op, str] = {
    Op.STRING_EQUALS: "=",
    Op.STRING_NOT_EQUALS: "!=",
    Op.STRING_EQUALS_IGNORE_CASE: "= (ignoring case)",
    Op.STRING_NOT_EQUALS_IGNORE_CASE: "!= (ignoring case)",
    Op.STRING_LIKE: "like",
    Op.STRING_NOT_LIKE: "not like",
    Op.NUMERIC_EQUALS: "=",
    Op.NUMERIC_NOT_EQUALS: "!=",
    Op.NUMERIC_LESS_THAN: "<",
    Op.NUMERIC_LESS_THAN_EQUALS: "<=",
    Op.NUMERIC_GREATER_THAN: ">",
    Op.NUMERIC_GREATER_THAN_EQUALS: ">=",
    Op.DATE_EQUALS: "=",
    Op.DATE_NOT_EQUALS: "!=",
    Op.DATE_LESS_THAN: "before",
    Op.DATE_LESS_THAN_EQUALS: "at or before",
    Op.DATE_GREATER_THAN: "after",
    Op.DATE_GREATER_THAN_EQUALS: "at or after",
    Op.BOOL: "=",
    Op.BINARY_EQUALS: "=",
    Op.IP_ADDRESS: "in",
    Op.NOT_IP_ADDRESS: "not in",
    Op.ARN_EQUALS: "like",
    Op.ARN_LIKE: "like",
    Op.ARN_NOT_EQUALS: "not like",
    Op.ARN_NOT_LIKE: "not like",
}
"""English: `<key> <comparison> <values>`."""

_KO_EQUALS = ("{value}이어야", "{values} 중 하나여야")
_KO_NOT_EQUALS = ("{values} 외의 값이어야", "{values} 외의 값이어야")
_KO_LIKE = ("패턴 {value}에 일치해야", "패턴 {values} 중 하나에 일치해야")
_KO_NOT_LIKE = ("패턴 {value}에 일치하지 않아야", "패턴 {values} 중 어느 것에도 일치하지 않아야")

KOREAN_PREDICATES: Mapping[Op, tuple[str, str]] = {
    Op.STRING_EQUALS: _KO_EQUALS,
    Op.STRING_NOT_EQUALS: _KO_NOT_EQUALS,
    Op.STRING_EQUALS_IGNORE_CASE: ("대소문자 구분 없이 {value}이어야", "대소문자 구분 없이 {values} 중 하나여야"),
    Op.STRING_NOT_EQUALS_IGNORE_CASE: ("대소문자 구분 없이 {values} 외의 값이어야",) * 2,
    Op.STRING_LIKE: _KO_LIKE,
    Op.STRING_NOT_LIKE: _KO_NOT_LIKE,
    Op.NUMERIC_EQUALS: _KO_EQUALS,
    Op.NUMERIC_NOT_EQUALS: _KO_NOT_EQUALS,
    Op.NUMERIC_LESS_THAN: ("{value}보다 작아야", "{values} 중 하나보다 작아야"),
    Op.NUMERIC_LESS_THAN_EQUALS: ("{value} 이하여야", "{values} 중 하나 이하여야"),
    Op.NUMERIC_GREATER_THAN: ("{value}보다 커야", "{values} 중 하나보다 커야"),
    Op.NUMERIC_GREATER_THAN_EQUALS: ("{value} 이상이어야", "{values} 중 하나 이상이어야"),
    Op.DATE_EQUALS: _KO_EQUALS,
    Op.DATE_NOT_EQUALS: _KO_NOT_EQUALS,
    Op.DATE_LESS_THAN: ("{value}보다 이전이어야", "{values} 중 하나보다 이전이어야"),
    Op.DATE_LESS_THAN_EQUALS: ("{value} 또는 그 이전이어야", "{values} 중 하나 또는 그 이전이어야"),
    Op.DATE_GREATER_THAN: ("{value}보다 이후여야", "{values} 중 하나보다 이후여야"),
    Op.DATE_GREATER_THAN_EQUALS: ("{value} 또는 그 이후여야", "{values} 중 하나 또는 그 이후여야"),
    Op.BOOL: _KO_EQUALS,
    Op.BINARY_EQUALS: _KO_EQUALS,
    Op.IP_ADDRESS: ("{value} 범위 안에 있어야", "{values} 중 한 범위 안에 있어야"),
    Op.NOT_IP_ADDRESS: ("{value} 범위 밖에 있어야", "{values} 어느 범위에도 속하지 않아야"),
    Op.ARN_EQUALS: _KO_LIKE,
    Op.ARN_LIKE: _KO_LIKE,
    Op.ARN_NOT_EQUALS: _KO_NOT_LIKE,
    Op.ARN_NOT_LIKE: _KO_NOT_LIKE,
}
"""Korean: `<key> 값이 <values><predicate>`, for one value and for several."""
