"""Frozen values the engine works on: policies, statements, principals and requests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum, auto
from functools import lru_cache

from iam.context import Context


class PolicyKind(StrEnum):
    """The policy types AWS evaluates, named as AWS names them."""

    IDENTITY = auto()
    RESOURCE = auto()
    TRUST = auto()
    BOUNDARY = auto()
    SESSION = auto()
    SCP = auto()


class PolicyVersion(StrEnum):
    """The policy language versions AWS accepts.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    """

    V2012_10_17 = "2012-10-17"
    V2008_10_17 = "2008-10-17"


class Effect(StrEnum):
    """The Effect element: exactly `Allow` or `Deny` (case-sensitive)."""

    ALLOW = "Allow"
    DENY = "Deny"


class PrincipalKind(StrEnum):
    """The keys of a Principal element, and the kinds of caller a request can have."""

    AWS = "AWS"
    SERVICE = "Service"
    FEDERATED = "Federated"
    CANONICAL_USER = "CanonicalUser"


class SetQualifier(StrEnum):
    """Set operators for multivalued condition keys.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """

    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


class ConditionOperator(StrEnum):
    """Condition operators the engine understands (without prefix or `IfExists`).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """

    STRING_EQUALS = "StringEquals"
    STRING_NOT_EQUALS = "StringNotEquals"
    STRING_EQUALS_IGNORE_CASE = "StringEqualsIgnoreCase"
    STRING_NOT_EQUALS_IGNORE_CASE = "StringNotEqualsIgnoreCase"
    STRING_LIKE = "StringLike"
    STRING_NOT_LIKE = "StringNotLike"
    NUMERIC_EQUALS = "NumericEquals"
    NUMERIC_NOT_EQUALS = "NumericNotEquals"
    NUMERIC_LESS_THAN = "NumericLessThan"
    NUMERIC_LESS_THAN_EQUALS = "NumericLessThanEquals"
    NUMERIC_GREATER_THAN = "NumericGreaterThan"
    NUMERIC_GREATER_THAN_EQUALS = "NumericGreaterThanEquals"
    DATE_EQUALS = "DateEquals"
    DATE_NOT_EQUALS = "DateNotEquals"
    DATE_LESS_THAN = "DateLessThan"
    DATE_LESS_THAN_EQUALS = "DateLessThanEquals"
    DATE_GREATER_THAN = "DateGreaterThan"
    DATE_GREATER_THAN_EQUALS = "DateGreaterThanEquals"
    BOOL = "Bool"
    BINARY_EQUALS = "BinaryEquals"
    IP_ADDRESS = "IpAddress"
    NOT_IP_ADDRESS = "NotIpAddress"
    ARN_EQUALS = "ArnEquals"
    ARN_LIKE = "ArnLike"
    ARN_NOT_EQUALS = "ArnNotEquals"
    ARN_NOT_LIKE = "ArnNotLike"
    NULL = "Null"


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Points at one statement; shown as `<policy-name>#<Sid or index>`."""

    policy_name: str
    index: int
    sid: str | None = None

    def __str__(self) -> str:
        return f"{self.policy_name}#{self.sid if self.sid else self.index}"

    @property
    def label(self) -> str:
        """The statement's Sid, or `<policy-name>#<index>` when it has none."""
        return self.sid if self.sid else str(self)


@dataclass(frozen=True, slots=True)
class PrincipalValue:
    """One value of a Principal or NotPrincipal element, e.g. `AWS` / `arn:aws:iam::111122223333:root`."""

    kind: PrincipalKind
    value: str

    @property
    def is_wildcard(self) -> bool:
        """`"Principal": "*"` and `{"AWS": "*"}` both mean everyone."""
        return self.kind == PrincipalKind.AWS and self.value == "*"


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One key under one operator of a Condition block; several values are ORed."""

    operator: ConditionOperator
    key: str
    values: tuple[str, ...]
    set_qualifier: SetQualifier | None = None
    if_exists: bool = False
    path: str = ""

    @property
    def operator_name(self) -> str:
        """The operator as written in the policy, e.g. `ForAnyValue:StringLikeIfExists`."""
        return _operator_name(self.set_qualifier, self.operator, self.if_exists)


@dataclass(frozen=True, slots=True)
class Statement:
    """One parsed statement. Empty tuples mean the element was absent."""

    ref: StatementRef
    effect: Effect
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: tuple[PrincipalValue, ...] = ()
    not_principals: tuple[PrincipalValue, ...] = ()
    conditions: tuple[ConditionClause, ...] = ()
    path: str = "$.Statement"

    @property
    def index(self) -> int:
        """Position of the statement in its policy, from 0."""
        return self.ref.index

    @property
    def sid(self) -> str | None:
        """The statement's Sid, if it has one."""
        return self.ref.sid

    @property
    def has_resource_element(self) -> bool:
        """Trust policies have no Resource; every other statement has Resource or NotResource."""
        return bool(self.resources or self.not_resources)

    @property
    def has_principal_element(self) -> bool:
        """Resource-based and trust policies name principals; other policies never do."""
        return bool(self.principals or self.not_principals)


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document, keeping its original text."""

    name: str
    kind: PolicyKind
    version: PolicyVersion
    statements: tuple[Statement, ...]
    text: str = field(default="", repr=False)
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request.

    `arn` holds the ARN for `AWS` principals, the service name for `Service`, the provider for
    `Federated` and the canonical id for `CanonicalUser`. For a role session
    (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`) `role_arn` is the role's ARN; it is derived
    (without a path) when not given. `account` is derived from the ARN when not given.
    """

    kind: PrincipalKind
    arn: str
    account: str | None = None
    unique_id: str | None = None
    role_arn: str | None = None

    def __post_init__(self) -> None:
        if self.kind != PrincipalKind.AWS:
            return
        if self.account is None:
            object.__setattr__(self, "account", _account_of(self.arn))
        if self.role_arn is None:
            object.__setattr__(self, "role_arn", _role_of(self.arn))

    @classmethod
    def aws(cls, arn: str, *, unique_id: str | None = None, role_arn: str | None = None) -> Principal:
        """An IAM user, role, role session, federated user or account."""
        return cls(kind=PrincipalKind.AWS, arn=arn, unique_id=unique_id, role_arn=role_arn)

    @classmethod
    def service(cls, name: str) -> Principal:
        """An AWS service principal such as `ec2.amazonaws.com`."""
        return cls(kind=PrincipalKind.SERVICE, arn=name)

    @classmethod
    def federated(cls, provider: str) -> Principal:
        """A SAML or OIDC identity provider (ARN or domain such as `accounts.google.com`)."""
        return cls(kind=PrincipalKind.FEDERATED, arn=provider)

    @property
    def is_role_session(self) -> bool:
        """True for `arn:...:sts::ACCT:assumed-role/ROLE/SESSION` callers."""
        return ":assumed-role/" in self.arn

    @property
    def is_root_user(self) -> bool:
        """True for the account root user, `arn:aws:iam::ACCT:root`.

        https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
        """
        # `endswith` first: a cheap test that rules out almost every caller before the regex.
        return self.kind == PrincipalKind.AWS and self.arn.endswith(":root") and _ROOT_ARN.match(self.arn) is not None

    @property
    def is_federated_user(self) -> bool:
        """True for `GetFederationToken` sessions (`arn:...:sts::ACCT:federated-user/NAME`)."""
        return ":federated-user/" in self.arn


_ROOT_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:root\Z")


def _account_of(arn: str) -> str | None:
    if arn.isdigit() and len(arn) == 12:
        return arn
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4]:
        return parts[4]
    return None


def _role_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    if parts[2] == "iam" and parts[5].startswith("role/"):
        return arn
    if parts[2] == "sts" and parts[5].startswith("assumed-role/"):
        role_name = parts[5].split("/")[1]
        return f"arn:{parts[1]}:iam::{parts[4]}:role/{role_name}"
    return None


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization question: may `principal` perform `action` on `resource`?

    `context` holds condition keys; a plain mapping is turned into a case-insensitive
    `Context`. `resource_account` is needed only when the resource ARN carries no account
    (for example an S3 bucket ARN).
    """

    action: str
    resource: str
    principal: Principal | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=Context)
    resource_account: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.context, Context):
            object.__setattr__(self, "context", Context.from_mapping(self.context))


@dataclass(frozen=True, slots=True)
class PolicyInputs:
    """The policies that apply to one request, one field per policy type.

    `resource` is the resource-based policy, or the role's trust policy when the action is
    `sts:AssumeRole*`. `scps` holds one tuple of SCPs per organization level (root, OUs, account).
    """

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    boundary: Policy | None = None
    session: tuple[Policy, ...] = ()
    scps: tuple[tuple[Policy, ...], ...] = ()


@lru_cache(maxsize=512)
def _operator_name(set_qualifier: SetQualifier | None, operator: ConditionOperator, if_exists: bool) -> str:
    prefix = f"{set_qualifier}:" if set_qualifier else ""
    return f"{prefix}{operator}{'IfExists' if if_exists else ''}"
