"""When one statement matches every request another matches: redundant and unreachable statements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from iam.findings import Finding
from iam.findings import FindingCode as Code
from iam.matching import principal_value_account, principal_value_is_account
from iam.model import ConditionClause, Effect, PrincipalValue, Statement


def statement_relation_findings(statements: Sequence[Statement]) -> tuple[Finding, ...]:
    """UNREACHABLE_STATEMENT for an Allow that a Deny of the same policy fully covers, and
    REDUNDANT_STATEMENT for a statement another one with the same effect already covers.

    An explicit deny always wins, so such an Allow never allows anything. Pairs are compared, so a
    policy with more than `MAX_STATEMENTS` statements is not checked.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    """
    if len(statements) > MAX_STATEMENTS:
        return ()
    findings: list[Finding] = []
    unreachable: set[int] = set()
    for allow in statements:
        if allow.effect is not Effect.ALLOW:
            continue
        deny = next((d for d in statements if d.effect is Effect.DENY and statement_covers(d, allow)), None)
        if deny is not None:
            unreachable.add(allow.index)
            message = (
                f"statement `{allow.ref}` never allows anything: statement `{deny.ref}` denies every request"
                " it matches, and an explicit deny always wins"
            )
            findings.append(Finding.of(Code.UNREACHABLE_STATEMENT, message, path=allow.path))
    findings.extend(_redundant(statements, skip=unreachable))
    return tuple(findings)


MAX_STATEMENTS = 100
"""Policies with more statements are not checked for redundant or unreachable statements."""


def _redundant(statements: Sequence[Statement], *, skip: set[int]) -> Iterator[Finding]:
    for statement in statements:
        if statement.index in skip:
            continue
        wider = next((other for other in statements if _makes_redundant(other, statement)), None)
        if wider is not None:
            verb = "allows" if statement.effect is Effect.ALLOW else "denies"
            message = f"statement `{statement.ref}` is redundant: statement `{wider.ref}` already {verb} all it {verb}"
            yield Finding.of(Code.REDUNDANT_STATEMENT, message, path=statement.path)


def _makes_redundant(other: Statement, statement: Statement) -> bool:
    """`other` covers `statement`; of two statements that cover each other, the later is redundant."""
    if other.index == statement.index or other.effect is not statement.effect:
        return False
    if not statement_covers(other, statement):
        return False
    return other.index < statement.index or not statement_covers(statement, other)


def statement_covers(outer: Statement, inner: Statement) -> bool:
    """True when every request `inner` matches, `outer` matches too (ignoring Effect).

    Sound but not complete: True is always right; False may miss a cover that needs reasoning
    about wildcards on both sides (`NotAction` against `Action`, overlapping patterns).
    """
    return (
        _elements_cover(outer.actions, outer.not_actions, inner.actions, inner.not_actions, ignore_case=True)
        and _resources_cover(outer, inner)
        and _principals_cover(outer, inner)
        and _conditions_cover(outer.conditions, inner.conditions)
    )


def _resources_cover(outer: Statement, inner: Statement) -> bool:
    """No Resource element (trust policies, some resource-based policies) means the policy's own resource."""
    if not outer.has_resource_element:
        return not inner.has_resource_element or "*" in outer.resources
    if not inner.has_resource_element:
        return "*" in outer.resources
    return _elements_cover(outer.resources, outer.not_resources, inner.resources, inner.not_resources)


def _elements_cover(
    outer: tuple[str, ...],
    outer_not: tuple[str, ...],
    inner: tuple[str, ...],
    inner_not: tuple[str, ...],
    *,
    ignore_case: bool = False,
) -> bool:
    """Action/NotAction (or Resource/NotResource) of `outer` includes everything `inner` names."""
    if "*" in outer:
        return True
    if outer and inner:
        return all(any(pattern_covers(o, i, ignore_case=ignore_case) for o in outer) for i in inner)
    if outer_not and inner_not:
        return all(any(pattern_covers(i, o, ignore_case=ignore_case) for i in inner_not) for o in outer_not)
    if outer_not and inner:
        # A value without wildcards is in unless an excluded pattern matches it (for such a value "covers"
        # is plain matching); a pattern with wildcards might overlap an excluded one, so no claim is made.
        return all(
            not _has_wildcard(i) and not any(pattern_covers(o, i, ignore_case=ignore_case) for o in outer_not)
            for i in inner
        )
    return False


def pattern_covers(outer: str, inner: str, *, ignore_case: bool = False) -> bool:
    """Every text `inner` matches, `outer` matches (`*` any run, `?` one character).

    `outer` is matched against `inner` written out: a `*` of `inner` can only be absorbed by a
    `*` of `outer`, a `?` of `inner` by a `?` or `*`. ARNs are compared segment by segment, as
    AWS matches them. Patterns longer than `MAX_PATTERN` characters are never said to cover.
    """
    if len(outer) > MAX_PATTERN or len(inner) > MAX_PATTERN:
        return False
    if ignore_case:
        outer, inner = outer.casefold(), inner.casefold()
    outer_parts, inner_parts = outer.split(":", 5), inner.split(":", 5)
    if len(outer_parts) == len(inner_parts) == 6 and outer_parts[0] == inner_parts[0] == "arn":
        return all(_glob_covers(o, i) for o, i in zip(outer_parts, inner_parts, strict=True))
    return _glob_covers(outer, inner)


MAX_PATTERN = 512
"""Longer patterns are not compared: the greedy match below is linear in the product of the lengths."""


def _glob_covers(pattern: str, text: str) -> bool:
    """Wildcard matching of `pattern` over the characters of `text`, where a `*` or `?` in `text`
    stands for what it matches; greedy with a return to the last `*` (no regex backtracking)."""
    p = t = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, mark, p = p, t, p + 1
        elif p < len(pattern) and _token_covers(pattern[p], text[t]):
            p, t = p + 1, t + 1
        elif star >= 0:
            mark += 1
            p, t = star + 1, mark
        else:
            return False
    return all(char == "*" for char in pattern[p:])


def _token_covers(pattern: str, text: str) -> bool:
    if pattern == "?":
        return text != "*"
    return pattern == text and text not in "*?"


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _principals_cover(outer: Statement, inner: Statement) -> bool:
    if not outer.has_principal_element:
        return not inner.has_principal_element
    if any(value.is_wildcard for value in outer.principals):
        return True
    if outer.principals and inner.principals:
        return all(any(_principal_covers(o, i) for o in outer.principals) for i in inner.principals)
    if outer.not_principals and inner.not_principals:
        return set(outer.not_principals) <= set(inner.not_principals)
    return False


def _principal_covers(outer: PrincipalValue, inner: PrincipalValue) -> bool:
    """The same value, or an account (`123456789012` or its `:root` ARN) and a principal in it."""
    if outer == inner:
        return True
    if outer.kind != inner.kind or inner.is_wildcard or not principal_value_is_account(outer.value):
        return False
    return principal_value_account(outer.value) == principal_value_account(inner.value)


def _conditions_cover(outer: tuple[ConditionClause, ...], inner: tuple[ConditionClause, ...]) -> bool:
    """Each clause of `outer` also appears in `inner`, so whenever `inner`'s conditions hold, `outer`'s do."""
    inner_clauses = {_clause_key(clause) for clause in inner}
    return all(_clause_key(clause) in inner_clauses for clause in outer)


def _clause_key(clause: ConditionClause) -> tuple[str, str, frozenset[str]]:
    # AWS: condition key names are case-insensitive; values are not
    return clause.operator_name, clause.key.lower(), frozenset(clause.values)
