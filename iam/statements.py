"""Statement x Request -> `StatementTrace`; the statements of one policy type -> `PolicyResult`."""

from __future__ import annotations

from dataclasses import replace

from iam.compiled import action_patterns, resource_patterns
from iam.conditions import evaluate_condition
from iam.context import Context
from iam.matching import (
    PrincipalMatch,
    UnresolvedVariable,
    not_principal_exempts,
    principal_value_account,
    principal_value_match,
    resolve_resource,
    resource_matches,
)
from iam.model import Effect, Policy, PolicyKind, PolicyVersion, Principal, PrincipalKind, Request, Statement
from iam.results import ConditionTrace, Issue, IssueCode, MismatchReason, PolicyResult, StatementTrace

# Strongest first: the grant a resource-based policy gives depends on how it named the caller.
_PRINCIPAL_STRENGTH = (PrincipalMatch.EXACT, PrincipalMatch.WILDCARD, PrincipalMatch.ROLE, PrincipalMatch.ACCOUNT)


def evaluate_policies(
    kind: PolicyKind,
    policies: tuple[Policy, ...],
    *,
    request: Request,
    context: Context,
    check_principal: bool = False,
    level: int | None = None,
) -> PolicyResult:
    """Trace every statement of the policies of one type and sort them into allow/deny/unmatched."""
    allow: list[StatementTrace] = []
    deny: list[StatementTrace] = []
    unmatched: list[StatementTrace] = []
    with_issues = False
    for policy in policies:
        for statement in policy.statements:
            trace = trace_statement(
                statement, request=request, context=context, version=policy.version, check_principal=check_principal
            )
            with_issues = with_issues or bool(trace.issues)
            if not trace.matched:
                unmatched.append(trace)
            elif trace.effect is Effect.ALLOW:
                allow.append(trace)
            else:
                deny.append(trace)
    issues = tuple([issue for trace in (*deny, *allow, *unmatched) for issue in trace.issues]) if with_issues else ()
    return PolicyResult(
        kind=kind,
        policy_names=tuple([policy.name for policy in policies]),
        allow=tuple(allow),
        deny=tuple(deny),
        unmatched=tuple(unmatched),
        level=level,
        issues=issues,
    )


def trace_statement(
    statement: Statement, *, request: Request, context: Context, version: PolicyVersion, check_principal: bool
) -> StatementTrace:
    """Compare one statement with a request; never raises.

    Conditions are evaluated only when action, resource and principal match. A statement with
    an issue (unresolvable variable, unreadable condition value) does not match, whatever its
    Effect: a skipped Deny denies nothing.
    """
    action_ok = _action_matched(statement, request.action)
    resource_ok, issues = _resource_matched(statement, request.resource, context=context, version=version)
    principal = PrincipalMatch.NOT_APPLICABLE
    if check_principal:
        principal = statement_principal_match(statement, request.principal)
    mismatch = _first_mismatch(statement, request.principal, action_ok, resource_ok, principal)
    conditions: tuple[ConditionTrace, ...] = ()
    if mismatch is None and statement.conditions:
        conditions = tuple(
            [evaluate_condition(clause, context=context, version=version) for clause in statement.conditions]
        )
        issues += tuple([trace.issue for trace in conditions if trace.issue is not None])
        mismatch = _condition_mismatch(conditions)
    issues = issues if action_ok else ()
    return StatementTrace(
        ref=statement.ref,
        effect=statement.effect,
        action_matched=action_ok,
        resource_matched=resource_ok,
        principal_match=principal,
        mismatch=MismatchReason.NOT_EVALUATED if issues else mismatch,
        conditions=conditions,
        issues=tuple(replace(issue, ref=statement.ref) for issue in issues) if issues else (),
        statement=statement,
    )


def _action_matched(statement: Statement, action: str) -> bool:
    patterns = statement.actions or statement.not_actions
    hit = bool(patterns) and action_patterns(patterns).fullmatch(action) is not None
    return hit if statement.actions else not hit


def _resource_matched(
    statement: Statement, resource: str, *, context: Context, version: PolicyVersion
) -> tuple[bool, tuple[Issue, ...]]:
    if not statement.has_resource_element:
        return True, ()
    patterns = statement.resources or statement.not_resources
    compiled = resource_patterns(patterns)
    if not compiled.has_variables or version is not PolicyVersion.V2012_10_17:
        hit = compiled.matches(resource)
        return (hit if statement.resources else not hit), ()
    hit, issues = False, []
    for pattern in patterns:
        try:
            hit = resource_matches(resolve_resource(pattern, context=context, version=version), resource) or hit
        except UnresolvedVariable as error:
            issues.append(Issue(IssueCode.UNRESOLVED_VARIABLE, error.variable))
    matched = hit if statement.resources else not hit
    return matched and not issues, tuple(issues)


def statement_principal_match(statement: Statement, principal: Principal | None) -> PrincipalMatch:
    """The strongest way the statement's Principal names the caller; NotPrincipal counts as `*`.

    A Deny with NotPrincipal applies unless the list names every identity of the caller
    (`not_principal_exempts`).
    """
    values = statement.principals or statement.not_principals
    if not values:
        return PrincipalMatch.NOT_APPLICABLE
    if statement.not_principals and statement.effect is Effect.DENY:
        return PrincipalMatch.NONE if not_principal_exempts(values, principal) else PrincipalMatch.WILDCARD
    found = [principal_value_match(value, principal) for value in values]
    if statement.not_principals:
        # An Allow with NotPrincipal covers only callers none of whose identities it names.
        named = any(match is not PrincipalMatch.NONE for match in found)
        return PrincipalMatch.NONE if named else PrincipalMatch.WILDCARD
    for match in _PRINCIPAL_STRENGTH:
        if match in found:
            return match
    return PrincipalMatch.NONE


def _first_mismatch(
    statement: Statement,
    principal: Principal | None,
    action_ok: bool,
    resource_ok: bool,
    principal_match: PrincipalMatch,
) -> MismatchReason | None:
    if not action_ok:
        return MismatchReason.ACTION
    if not resource_ok:
        return MismatchReason.RESOURCE
    if principal_match is PrincipalMatch.NONE:
        return _principal_mismatch(statement, principal)
    return None


def _principal_mismatch(statement: Statement, principal: Principal | None) -> MismatchReason:
    """ACCOUNT when the statement names only other accounts' principals, else PRINCIPAL."""
    if principal is None or principal.kind != PrincipalKind.AWS or statement.not_principals:
        return MismatchReason.PRINCIPAL
    accounts = {
        principal_value_account(value.value) for value in statement.principals if value.kind == PrincipalKind.AWS
    } - {None}
    return MismatchReason.ACCOUNT if accounts and principal.account not in accounts else MismatchReason.PRINCIPAL


def _condition_mismatch(conditions: tuple[ConditionTrace, ...]) -> MismatchReason | None:
    for trace in conditions:
        if trace.result:
            continue
        if trace.issue is not None:
            return MismatchReason.NOT_EVALUATED
        if not trace.key_present:
            return MismatchReason.CONDITION_KEY_MISSING
        if trace.key.lower() == "sts:externalid":
            return MismatchReason.EXTERNAL_ID_MISMATCH
        return MismatchReason.CONDITION
    return None
