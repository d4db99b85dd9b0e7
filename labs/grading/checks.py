"""The built-in kinds of check, and `grade`, which runs a lab's checks over a GradeContext."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import iam
from labs.grading.context import GradeContext
from labs.grading.probes import probe_trust
from labs.grading.result import CheckResult, GradeResult

Explanation = Mapping[str, tuple[str, ...]]
"""Explanation lines per language (`en`, `ko`), from the engine or the check itself."""

Language = Literal["en", "ko"]
LANGUAGES: tuple[Language, ...] = ("en", "ko")
NO_EXPLANATION: Explanation = {language: () for language in LANGUAGES}


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    passed: bool
    explanation: Explanation = field(default_factory=lambda: NO_EXPLANATION)


CheckFunction = Callable[[GradeContext, Mapping[str, Any]], CheckOutcome]


def _said(en: str, ko: str) -> Explanation:
    return {"en": (en,), "ko": (ko,)}


def _explained(evaluations: Iterable[iam.Evaluation]) -> Explanation:
    found = tuple(evaluations)
    return {
        language: tuple(line for evaluation in found for line in iam.explain(evaluation, language=language))
        for language in LANGUAGES
    }


def _no_role(name: str, account_id: str) -> CheckOutcome:
    english = f"there is no role named `{name}` in account `{account_id}`"
    return CheckOutcome(False, _said(english, f"계정 `{account_id}`에 `{name}` 역할이 없습니다"))


def check_role_exists(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    name = params["role_name"]
    return CheckOutcome(True) if name in ctx.roles else _no_role(name, ctx.account_id)


def check_trust_allows(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = ctx.roles.get(params["role_name"])
    if role is None:
        return _no_role(params["role_name"], ctx.account_id)
    evaluation = probe_trust(role, principal=params["principal"], action=params["action"])
    if evaluation.decision == iam.Decision.ALLOW:
        return CheckOutcome(True)
    return CheckOutcome(False, _explained([evaluation]))


def check_trust_denies(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = ctx.roles.get(params["role_name"])
    if role is None:
        return _no_role(params["role_name"], ctx.account_id)
    probes = params["probes"]
    evaluations = [probe_trust(role, principal=probe["principal"], action=probe["action"]) for probe in probes]
    let_in = [evaluation for evaluation in evaluations if evaluation.decision == iam.Decision.ALLOW]
    return CheckOutcome(not let_in, _explained(let_in))


CHECKS: Mapping[str, CheckFunction] = {
    "role_exists": check_role_exists,
    "trust_allows": check_trust_allows,
    "trust_denies": check_trust_denies,
}


def grade(definition: Mapping[str, Any], ctx: GradeContext) -> GradeResult:
    """Run every check of a lab definition (a validated lab.json) against the learner's snapshot."""
    results = []
    for check in definition["checks"]:
        try:
            outcome = CHECKS[check["kind"]](ctx, check["params"])
        except iam.PolicySyntaxError as exc:
            english = f"the trust policy does not parse: {exc.message}"
            outcome = CheckOutcome(False, _said(english, f"신뢰 정책을 해석할 수 없습니다: {exc.message}"))
        results.append(
            CheckResult(
                check_id=check["id"],
                title=check["title"],
                points=float(check["points"]) if outcome.passed else 0.0,
                max_points=float(check["points"]),
                passed=outcome.passed,
                feedback=check["feedback"]["pass" if outcome.passed else "fail"],
                explanation=outcome.explanation,
            )
        )
    return GradeResult(gradable=True, checks=tuple(results))
