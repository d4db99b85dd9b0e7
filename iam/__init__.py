"""A pure-Python AWS IAM policy engine: parse policies, evaluate requests, explain decisions."""

from __future__ import annotations

from iam.context import Context, make_context
from iam.engine import evaluate
from iam.errors import PolicySyntaxError
from iam.explain import explain
from iam.findings import Finding, FindingCode, Severity
from iam.limits import (
    GROUP_INLINE_POLICIES_SIZE_LIMIT,
    MANAGED_POLICY_SIZE_LIMIT,
    ROLE_INLINE_POLICIES_SIZE_LIMIT,
    SESSION_POLICY_SIZE_LIMIT,
    TRUST_POLICY_SIZE_LIMIT,
    USER_INLINE_POLICIES_SIZE_LIMIT,
    check_inline_aggregate,
)
from iam.matching import PrincipalMatch
from iam.model import (
    ConditionClause,
    ConditionOperator,
    Effect,
    Policy,
    PolicyInputs,
    PolicyKind,
    PolicyVersion,
    Principal,
    PrincipalKind,
    PrincipalValue,
    Request,
    SetQualifier,
    Statement,
    StatementRef,
)
from iam.parse import parse_policy
from iam.results import (
    ConditionTrace,
    Decision,
    Evaluation,
    Issue,
    IssueCode,
    MismatchReason,
    PolicyResult,
    Rule,
    StatementTrace,
)
from iam.trust import TRUST_ACTIONS
from iam.validate import validate_policy

__all__ = [
    "GROUP_INLINE_POLICIES_SIZE_LIMIT",
    "MANAGED_POLICY_SIZE_LIMIT",
    "ROLE_INLINE_POLICIES_SIZE_LIMIT",
    "SESSION_POLICY_SIZE_LIMIT",
    "TRUST_ACTIONS",
    "TRUST_POLICY_SIZE_LIMIT",
    "USER_INLINE_POLICIES_SIZE_LIMIT",
    "ConditionClause",
    "ConditionOperator",
    "ConditionTrace",
    "Context",
    "Decision",
    "Effect",
    "Evaluation",
    "Finding",
    "FindingCode",
    "Issue",
    "IssueCode",
    "MismatchReason",
    "Policy",
    "PolicyInputs",
    "PolicyKind",
    "PolicyResult",
    "PolicySyntaxError",
    "PolicyVersion",
    "Principal",
    "PrincipalKind",
    "PrincipalMatch",
    "PrincipalValue",
    "Request",
    "Rule",
    "SetQualifier",
    "Severity",
    "Statement",
    "StatementRef",
    "StatementTrace",
    "check_inline_aggregate",
    "evaluate",
    "explain",
    "make_context",
    "parse_policy",
    "validate_policy",
]
