"""Evaluation -> plain-language lines (lowercase start, no final period, values in backticks)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from iam.conditions.registry import parse_operator_name
from iam.matching import principal_value_account
from iam.model import ConditionOperator as Op
from iam.model import PolicyKind, PrincipalKind, SetQualifier, StatementRef
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

KIND_WORDS: Mapping[PolicyKind, str] = {
    PolicyKind.IDENTITY: "identity-based policy",
    PolicyKind.RESOURCE: "resource-based policy",
    PolicyKind.TRUST: "trust policy",
    PolicyKind.BOUNDARY: "permissions boundary",
    PolicyKind.SESSION: "session policy",
    PolicyKind.SCP: "service control policy",
}

_COMPARISONS: Mapping[Op, str] = {
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
_CONDITION_MISMATCHES = (
    MismatchReason.CONDITION,
    MismatchReason.CONDITION_KEY_MISSING,
    MismatchReason.EXTERNAL_ID_MISMATCH,
)


def explain(evaluation: Evaluation) -> tuple[str, ...]:
    """Say in words why the request was allowed or denied, one line per fact."""
    kinds = {trace.ref: result.kind for result in evaluation.policy_results for trace in _traces(result)}
    lines = [_summary(evaluation)]
    verb = "allows" if evaluation.decision is Decision.ALLOW else "denies"
    for ref in evaluation.reasons:
        lines.append(f"{_statement(ref)} in the {KIND_WORDS[kinds[ref]]} `{ref.policy_name}` {verb} it")
    if evaluation.decision is Decision.IMPLICIT_DENY:
        for kind in evaluation.blocked_by:
            lines += _blocked(evaluation, kind)
    lines += [_issue(issue) for issue in evaluation.issues]
    return tuple(lines)


def _traces(result: PolicyResult) -> tuple[StatementTrace, ...]:
    return (*result.allow, *result.deny, *result.unmatched)


def _summary(evaluation: Evaluation) -> str:
    request = evaluation.request
    who = f"`{request.principal.arn}`" if request.principal else "an anonymous caller"
    what = f"`{request.action}` on `{request.resource}`"
    if evaluation.decision is Decision.ALLOW:
        return f"allow: {who} may perform {what}"
    outcome = "explicit deny" if evaluation.decision is Decision.EXPLICIT_DENY else "implicit deny"
    return f"{outcome}: {who} may not perform {what}"


def _statement(ref: StatementRef) -> str:
    return f"statement `{ref.label}`"


def _blocked(evaluation: Evaluation, kind: PolicyKind) -> Iterator[str]:
    results = [result for result in evaluation.policy_results if result.kind is kind]
    if kind is PolicyKind.BOUNDARY:
        yield "the permissions boundary does not allow it"
    elif kind is PolicyKind.SCP:
        yield "a service control policy does not allow it"
    else:
        yield f"no {KIND_WORDS[kind]} allows it"
    if kind is PolicyKind.IDENTITY:
        yield from _identity_needed(evaluation)
    for result in results:
        for trace in result.unmatched:
            line = _mismatch(trace, evaluation)
            if line:
                yield line


def _identity_needed(evaluation: Evaluation) -> Iterator[str]:
    for result in evaluation.policy_results:
        if result.kind not in (PolicyKind.TRUST, PolicyKind.RESOURCE) or not result.allow:
            continue
        words = KIND_WORDS[result.kind]
        if evaluation.cross_account:
            yield f"the request is cross-account, so an identity-based policy must allow it as well as the {words}"
        else:
            verb = "trusts" if result.kind is PolicyKind.TRUST else "grants access to"
            yield f"the {words} {verb} the whole account, so an identity-based policy must allow it too"


def _mismatch(trace: StatementTrace, evaluation: Evaluation) -> str | None:
    principal = evaluation.request.principal
    if trace.mismatch in _CONDITION_MISMATCHES:
        failed = next(condition for condition in trace.conditions if not condition.result)
        return f"{_statement(trace.ref)} requires {describe_condition(failed)}; the request had {_had(failed)}"
    if trace.mismatch is MismatchReason.PRINCIPAL:
        caller = f"`{principal.arn}`" if principal else "an anonymous caller"
        return f"{_statement(trace.ref)} does not name {caller} as a principal"
    if trace.mismatch is MismatchReason.ACCOUNT and principal and trace.statement:
        accounts = sorted(
            {
                principal_value_account(value.value) or ""
                for value in trace.statement.principals
                if value.kind == PrincipalKind.AWS
            }
            - {""}
        )
        named = ", ".join(f"`{account}`" for account in accounts)
        return f"{_statement(trace.ref)} names principals in {named}, not in `{principal.account}`"
    return None


def describe_condition(trace: ConditionTrace) -> str:
    """What a condition asks for, e.g. ``sts:ExternalId` = `partner-42``."""
    parsed = parse_operator_name(trace.operator)
    key = f"`{trace.key}`"
    if parsed is not None and parsed.set_qualifier is SetQualifier.FOR_ALL_VALUES:
        key = f"every value of {key}"
    elif parsed is not None and parsed.set_qualifier is SetQualifier.FOR_ANY_VALUE:
        key = f"some value of {key}"
    if parsed is None or parsed.operator is Op.NULL:
        absent = any(value.strip().lower() == "true" for value in trace.policy_values)
        return f"{key} to be {'absent' if absent else 'present'}"
    values = [f"`{value}`" for value in trace.policy_values] or ["no value"]
    shown = values[0] if len(values) == 1 else f"{'each' if trace.negated else 'one'} of {', '.join(values)}"
    suffix = " (if present)" if parsed.if_exists else ""
    return f"{key} {_COMPARISONS[parsed.operator]} {shown}{suffix}"


def _had(trace: ConditionTrace) -> str:
    if not trace.key_present:
        return "none"
    return ", ".join(f"`{value}`" for value in trace.request_values)


def _issue(issue: Issue) -> str:
    where = _statement(issue.ref) if issue.ref else "a statement"
    if issue.code is IssueCode.UNRESOLVED_VARIABLE:
        why = f"`{issue.subject}` has no single value in the request"
    else:
        why = f"`{issue.subject}` is not a valid value for `{issue.operator}`"
    return f"{where} was skipped, so it neither allows nor denies: {why}"
