"""What an evaluation returns: the decision and, as data, every reason for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum, auto

from iam.fastinit import fast_init
from iam.matching import PrincipalMatch
from iam.model import Effect, PolicyKind, Request, Statement, StatementRef


class Decision(StrEnum):
    """The outcome of a request, in AWS's words.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """

    ALLOW = auto()
    EXPLICIT_DENY = auto()
    IMPLICIT_DENY = auto()


class MismatchReason(StrEnum):
    """Why a statement did not apply to a request (the first reason found, in this order)."""

    ACTION = auto()
    RESOURCE = auto()
    PRINCIPAL = auto()
    ACCOUNT = auto()
    CONDITION = auto()
    CONDITION_KEY_MISSING = auto()
    EXTERNAL_ID_MISMATCH = auto()
    NOT_EVALUATED = auto()


class Rule(StrEnum):
    """An AWS rule that decides a request whatever the policies say."""

    ROOT_USER_CANNOT_ASSUME_ROLE = auto()
    """STS refuses `sts:AssumeRole` from the root user: `Roles may not be assumed by root accounts.`"""


class IssueCode(StrEnum):
    """Why part of a statement could not be evaluated."""

    UNRESOLVED_VARIABLE = auto()
    INVALID_CONDITION_VALUE = auto()


@fast_init
@dataclass(frozen=True, slots=True)
class Issue:
    """A statement the engine skipped, and the policy text that caused it (`subject`).

    A skipped statement is treated as not matching: a skipped Allow grants nothing and a
    skipped Deny denies nothing, as when AWS finds a policy variable's key missing.
    """

    code: IssueCode
    subject: str
    operator: str = ""
    ref: StatementRef | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class ConditionTrace:
    """One condition key checked against the request."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...]
    key_present: bool
    result: bool
    negated: bool = False
    issue: Issue | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class StatementTrace:
    """How one statement compared with a request.

    Conditions are checked (and traced) only when action, resource and principal matched.
    """

    ref: StatementRef
    effect: Effect
    action_matched: bool
    resource_matched: bool
    principal_match: PrincipalMatch
    mismatch: MismatchReason | None
    conditions: tuple[ConditionTrace, ...] = ()
    issues: tuple[Issue, ...] = ()
    statement: Statement | None = field(default=None, repr=False, compare=False)

    @property
    def matched(self) -> bool:
        """True when the statement applies to the request."""
        return self.mismatch is None

    @property
    def principal_matched(self) -> bool | None:
        """None when the statement has no Principal element (identity-based policies)."""
        if self.principal_match is PrincipalMatch.NOT_APPLICABLE:
            return None
        return self.principal_match is not PrincipalMatch.NONE


@fast_init
@dataclass(frozen=True, slots=True)
class PolicyResult:
    """The statements of one policy type, split by outcome. `level` numbers SCP levels from 0."""

    kind: PolicyKind
    policy_names: tuple[str, ...]
    allow: tuple[StatementTrace, ...] = ()
    deny: tuple[StatementTrace, ...] = ()
    unmatched: tuple[StatementTrace, ...] = ()
    level: int | None = None
    issues: tuple[Issue, ...] = ()
    """Issues of the statements that could not be evaluated (deny, then allow, then unmatched ones)."""

    @property
    def allowed(self) -> bool:
        """True when some Allow statement matched."""
        return bool(self.allow)

    @property
    def denied(self) -> bool:
        """True when some Deny statement matched."""
        return bool(self.deny)


@fast_init
@dataclass(frozen=True, slots=True)
class Evaluation:
    """The decision for one request, with the statements and policy types behind it.

    `rule` is set when an AWS rule rather than a statement decided (then `blocked_by` is empty).
    """

    request: Request
    decision: Decision
    reasons: tuple[StatementRef, ...]
    policy_results: tuple[PolicyResult, ...]
    blocked_by: tuple[PolicyKind, ...] = ()
    issues: tuple[Issue, ...] = ()
    cross_account: bool = False
    rule: Rule | None = None

    @property
    def allowed(self) -> bool:
        """True when the decision is ALLOW."""
        return self.decision is Decision.ALLOW
