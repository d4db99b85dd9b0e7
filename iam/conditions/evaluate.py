"""One condition clause against the request context: missing keys, IfExists, set operators."""

from __future__ import annotations

from functools import lru_cache

from iam.conditions.base import InvalidPolicyValue, Matcher, OperatorSpec
from iam.conditions.null import null_matches
from iam.conditions.registry import OPERATORS
from iam.context import Context
from iam.matching import Template, UnresolvedVariable, resolve
from iam.model import ConditionClause, ConditionOperator, PolicyVersion, SetQualifier
from iam.results import ConditionTrace, Issue, IssueCode


def evaluate_condition(clause: ConditionClause, *, context: Context, version: PolicyVersion) -> ConditionTrace:
    """Evaluate one key of a Condition block; never raises.

    A value the operator cannot read, or a policy variable without a value, makes the clause
    false and is reported as the trace's `issue`.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """
    request_values = context.lookup(clause.key)
    spec = OPERATORS.get(clause.operator)
    present = bool(request_values)
    issue = None
    try:
        result = _result(clause, spec, request_values, context=context, version=version)
    except UnresolvedVariable as error:
        result, issue = False, Issue(IssueCode.UNRESOLVED_VARIABLE, error.variable, clause.operator_name)
    except InvalidPolicyValue as error:
        result, issue = False, Issue(IssueCode.INVALID_CONDITION_VALUE, error.value, clause.operator_name)
    return ConditionTrace(
        operator=clause.operator_name,
        key=clause.key,
        policy_values=clause.values,
        request_values=request_values,
        key_present=present,
        result=result,
        negated=bool(spec and spec.negated),
        issue=issue,
    )


def _result(
    clause: ConditionClause,
    spec: OperatorSpec | None,
    request_values: tuple[str, ...],
    *,
    context: Context,
    version: PolicyVersion,
) -> bool:
    if spec is None or clause.operator is ConditionOperator.NULL:
        return null_matches(clause.values, key_present=bool(request_values))
    if not request_values:
        # AWS: a missing key makes a condition false, except with IfExists, ForAllValues
        # (vacuously true) and negated operators such as StringNotEquals.
        if clause.if_exists:
            return True
        if clause.set_qualifier is not None:
            return clause.set_qualifier is SetQualifier.FOR_ALL_VALUES
        return spec.negated
    matchers = _matchers(clause, spec, context=context, version=version)
    # A request value passes when some policy value matches it (none, for negated operators).
    passes = [any(match(value) for match in matchers) != spec.negated for value in request_values]
    if clause.set_qualifier is SetQualifier.FOR_ANY_VALUE:
        return any(passes)
    if clause.set_qualifier is SetQualifier.FOR_ALL_VALUES or spec.negated:
        return all(passes)
    return any(passes)


def _matchers(
    clause: ConditionClause, spec: OperatorSpec, *, context: Context, version: PolicyVersion
) -> tuple[Matcher, ...]:
    plain = not spec.variables or version is not PolicyVersion.V2012_10_17
    if plain or not _has_variables(clause.values):
        return _plain_matchers(clause.operator, clause.values)
    templates = (
        resolve(value, context=context, version=version) if spec.variables else Template.plain(value)
        for value in clause.values
    )
    return tuple(spec.compile(template) for template in templates)


@lru_cache(maxsize=4096)
def _plain_matchers(operator: ConditionOperator, values: tuple[str, ...]) -> tuple[Matcher, ...]:
    """Matchers for values with no `${...}` to substitute: the same for every request, so compiled once."""
    spec = OPERATORS[operator]
    return tuple(spec.compile(Template.plain(value)) for value in values)


@lru_cache(maxsize=4096)
def _has_variables(values: tuple[str, ...]) -> bool:
    return any("${" in value for value in values)
