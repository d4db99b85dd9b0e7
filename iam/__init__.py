"""A pure-Python AWS IAM policy engine: parse policies, evaluate requests, explain decisions."""

from __future__ import annotations

from iam.context import Context, make_context
from iam.engine import evaluate
from iam.errors import PolicySyntaxError
from iam.explain import explain
from iam.limits import MANAGED_POLICY_SIZE_LIMIT, SESSION_POLICY_SIZE_LIMIT, TRUST_POLICY_SIZE_LIMIT
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
    StatementTrace,
)
from iam.trust import TRUST_ACTIONS

__all__ = [
    "MANAGED_POLICY_SIZE_LIMIT",
    "SESSION_POLICY_SIZE_LIMIT",
    "TRUST_ACTIONS",
    "TRUST_POLICY_SIZE_LIMIT",
    "ConditionClause",
    "ConditionOperator",
    "ConditionTrace",
    "Context",
    "Decision",
    "Effect",
    "Evaluation",
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
    "SetQualifier",
    "Statement",
    "StatementRef",
    "StatementTrace",
    "evaluate",
    "explain",
    "make_context",
    "parse_policy",
]
