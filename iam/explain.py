"""Evaluation -> plain-language lines in English or Korean (no final period, values in backticks)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from iam.conditions.registry import parse_operator_name
from iam.explain_words import COMPARISONS, ENGLISH, KOREAN_PREDICATES, PHRASES, Language, Phrases
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
    Rule,
    StatementTrace,
)
from iam.root import ROOT_USER_REF

KIND_WORDS: Mapping[PolicyKind, str] = ENGLISH.kinds
"""The English name of each policy type."""

_KOREAN_SUBJECTS: Mapping[SetQualifier | None, str] = {
    SetQualifier.FOR_ALL_VALUES: "모든 값이",
    SetQualifier.FOR_ANY_VALUE: "값 중 하나 이상이",
    None: "값이",
}
_CONDITION_MISMATCHES = (
    MismatchReason.CONDITION,
    MismatchReason.CONDITION_KEY_MISSING,
    MismatchReason.EXTERNAL_ID_MISMATCH,
)


def explain(evaluation: Evaluation, *, language: Language = "en") -> tuple[str, ...]:
    """Say in words why the request was allowed or denied, one line per fact.

    `language` is `en` (English) or `ko` (Korean, in the terms of AWS's Korean documentation:
    허용, 명시적 거부, 묵시적 거부, 신뢰 정책, 권한 경계 ...). Both give the same lines in the
    same order with the same backticked values; lines end without a period (Cedar's style).
    """
    words = PHRASES[language]
    kinds = {trace.ref: result.kind for result in evaluation.policy_results for trace in _traces(result)}
    lines = [_summary(evaluation, words)]
    if evaluation.rule is Rule.ROOT_USER_CANNOT_ASSUME_ROLE:
        lines.append(words.root_cannot_assume)
    template = words.allows if evaluation.decision is Decision.ALLOW else words.denies
    for ref in evaluation.reasons:
        if ref == ROOT_USER_REF and evaluation.request.principal is not None:
            lines.append(words.root_user.format(account=evaluation.request.principal.account))
            continue
        kind = words.kinds[kinds[ref]]
        lines.append(template.format(statement=_statement(ref, words), kind=kind, policy=ref.policy_name))
    if evaluation.decision is Decision.IMPLICIT_DENY:
        for kind in evaluation.blocked_by:
            lines += _blocked(evaluation, kind, words)
    lines += [_issue(issue, words) for issue in evaluation.issues]
    return tuple(lines)


def _traces(result: PolicyResult) -> tuple[StatementTrace, ...]:
    return (*result.allow, *result.deny, *result.unmatched)


def _caller(evaluation: Evaluation, words: Phrases) -> str:
    principal = evaluation.request.principal
    return words.caller.format(arn=principal.arn) if principal else words.anonymous


def _summary(evaluation: Evaluation, words: Phrases) -> str:
    request = evaluation.request
    template = words.may if evaluation.decision is Decision.ALLOW else words.may_not
    return template.format(
        outcome=words.outcomes[evaluation.decision],
        caller=_caller(evaluation, words),
        action=request.action,
        resource=request.resource,
    )


def _statement(ref: StatementRef, words: Phrases) -> str:
    return words.statement.format(label=ref.label)


def _blocked(evaluation: Evaluation, kind: PolicyKind, words: Phrases) -> Iterator[str]:
    if kind is PolicyKind.BOUNDARY:
        yield words.boundary_blocks
    elif kind is PolicyKind.SCP:
        yield words.scp_blocks
    else:
        yield words.none_allows.format(kind=words.kinds[kind])
    if kind is PolicyKind.IDENTITY:
        yield from _identity_needed(evaluation, words)
    for result in evaluation.policy_results:
        if result.kind is not kind:
            continue
        for trace in result.unmatched:
            line = _mismatch(trace, evaluation, words)
            if line:
                yield line


def _identity_needed(evaluation: Evaluation, words: Phrases) -> Iterator[str]:
    for result in evaluation.policy_results:
        if result.kind not in (PolicyKind.TRUST, PolicyKind.RESOURCE) or not result.allow:
            continue
        if evaluation.cross_account:
            yield words.cross_account.format(kind=words.kinds[result.kind])
        elif result.kind is PolicyKind.TRUST:
            yield words.account_trust
        else:
            yield words.account_resource


def _mismatch(trace: StatementTrace, evaluation: Evaluation, words: Phrases) -> str | None:
    principal = evaluation.request.principal
    statement = _statement(trace.ref, words)
    if trace.mismatch in _CONDITION_MISMATCHES:
        failed = next(condition for condition in trace.conditions if not condition.result)
        condition = describe_condition(failed, language=words.language)
        if not failed.key_present:
            return words.requires_had_none.format(statement=statement, condition=condition)
        values = ", ".join(f"`{value}`" for value in failed.request_values)
        return words.requires_had.format(statement=statement, condition=condition, values=values)
    if trace.mismatch is MismatchReason.PRINCIPAL:
        return words.not_named.format(statement=statement, caller=_caller(evaluation, words))
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
        return words.other_accounts.format(statement=statement, accounts=named, account=principal.account)
    return None


def describe_condition(trace: ConditionTrace, *, language: Language = "en") -> str:
    """What a condition asks for, e.g. ``sts:ExternalId` = `partner-42`` or, in Korean,
    ``sts:ExternalId` 값이 `partner-42`이어야``."""
    if language == "ko":
        return _describe_korean(trace)
    parsed = parse_operator_name(trace.operator)
    key = f"`{trace.key}`"
    if parsed is not None and parsed.set_qualifier is SetQualifier.FOR_ALL_VALUES:
        key = f"every value of {key}"
    elif parsed is not None and parsed.set_qualifier is SetQualifier.FOR_ANY_VALUE:
        key = f"some value of {key}"
    if parsed is None or parsed.operator is Op.NULL:
        return f"{key} to be {'absent' if _null_wants_absent(trace) else 'present'}"
    values = [f"`{value}`" for value in trace.policy_values] or ["no value"]
    shown = values[0] if len(values) == 1 else f"{'each' if trace.negated else 'one'} of {', '.join(values)}"
    suffix = " (if present)" if parsed.if_exists else ""
    return f"{key} {COMPARISONS[parsed.operator]} {shown}{suffix}"


def _describe_korean(trace: ConditionTrace) -> str:
    parsed = parse_operator_name(trace.operator)
    key = f"`{trace.key}`"
    if parsed is None or parsed.operator is Op.NULL:
        return f"{key} 키가 {'없어야' if _null_wants_absent(trace) else '있어야'}"
    subject = _KOREAN_SUBJECTS[parsed.set_qualifier]
    if parsed.if_exists:
        subject = f"{key} 키가 있으면 그 {subject}"
    else:
        subject = f"{key}{'의' if parsed.set_qualifier else ''} {subject}"
    values = [f"`{value}`" for value in trace.policy_values] or ["(값 없음)"]
    one, several = KOREAN_PREDICATES[parsed.operator]
    predicate = one if len(values) == 1 else several
    return f"{subject} {predicate.format(value=values[0], values=', '.join(values))}"


def _null_wants_absent(trace: ConditionTrace) -> bool:
    return any(value.strip().lower() == "true" for value in trace.policy_values)


def _issue(issue: Issue, words: Phrases) -> str:
    where = _statement(issue.ref, words) if issue.ref else words.a_statement
    if issue.code is IssueCode.UNRESOLVED_VARIABLE:
        why = words.unresolved.format(subject=issue.subject)
    else:
        why = words.invalid.format(subject=issue.subject, operator=issue.operator)
    return words.skipped.format(statement=where, why=why)
