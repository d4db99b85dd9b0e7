"""The built-in kinds of check, and `grade`, which runs a lab's checks over a GradeContext."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import iam
from labs.grading.context import GradeContext
from labs.grading.probes import probe_trust
from labs.grading.result import CheckResult, GradeResult


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    passed: bool
    explanation: tuple[str, ...] = ()


CheckFunction = Callable[[GradeContext, Mapping[str, Any]], CheckOutcome]


def check_role_exists(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    name = params["role_name"]
    if name in ctx.roles:
        return CheckOutcome(True)
    return CheckOutcome(False, (f"there is no role named `{name}` in account `{ctx.account_id}`",))


def check_trust_allows(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = ctx.roles.get(params["role_name"])
    if role is None:
        return CheckOutcome(False, (f"there is no role named `{params['role_name']}` to probe",))
    evaluation = probe_trust(role, principal=params["principal"], action=params["action"])
    if evaluation.decision == iam.Decision.ALLOW:
        return CheckOutcome(True)
    return CheckOutcome(False, iam.explain(evaluation))


def check_trust_denies(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = ctx.roles.get(params["role_name"])
    if role is None:
        return CheckOutcome(False, (f"there is no role named `{params['role_name']}` to probe",))
    lines: list[str] = []
    for probe in params["probes"]:
        evaluation = probe_trust(role, principal=probe["principal"], action=probe["action"])
        if evaluation.decision == iam.Decision.ALLOW:
            lines.extend(iam.explain(evaluation))
    return CheckOutcome(not lines, tuple(lines))


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
            outcome = CheckOutcome(False, (f"the trust policy does not parse: {exc.message}",))
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
