"""The kinds of check, and `grade`, which runs a lab's checks over a GradeContext."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import iam
from labs.grading import checks_activity, checks_probes, checks_state
from labs.grading.context import GradeContext
from labs.grading.outcome import CheckOutcome, said
from labs.grading.result import CheckResult, GradeResult
from labs.grading.template import UnknownVariable, render

CheckFunction = Callable[[GradeContext, Mapping[str, Any]], CheckOutcome]

CHECKS: Mapping[str, CheckFunction] = {
    "role_exists": checks_state.check_role_exists,
    "role_absent": checks_state.check_role_absent,
    "role_trusts": checks_state.check_role_trusts,
    "role_has_policy": checks_state.check_role_has_policy,
    "role_has_boundary": checks_state.check_role_has_boundary,
    "role_max_session": checks_state.check_role_max_session,
    "role_tags": checks_state.check_role_tags,
    "instance_profile_holds": checks_state.check_instance_profile_holds,
    "user_has_mfa": checks_state.check_user_has_mfa,
    "function_role": checks_state.check_function_role,
    "instance_uses_role": checks_state.check_instance_uses_role,
    "trust_allows": checks_probes.check_trust_allows,
    "trust_denies": checks_probes.check_trust_denies,
    "trust_probes": checks_probes.check_trust_probes,
    "permission_probes": checks_probes.check_permission_probes,
    "event": checks_activity.check_event,
    "console_switch": checks_activity.check_console_switch,
}


def _outcome(check: Mapping[str, Any], ctx: GradeContext) -> CheckOutcome:
    try:
        params = render(check["params"], ctx.variables)
        return CHECKS[check["kind"]](ctx, params)
    except iam.PolicySyntaxError as exc:
        return CheckOutcome(False, said(f"a policy does not parse: {exc.message}",
            f"정책을 해석할 수 없습니다: {exc.message}"))
    except UnknownVariable as exc:
        return CheckOutcome(False, said(f"the lab is broken: {exc}", f"실습 정의 오류: {exc}"))


def _hint_penalty(check: Mapping[str, Any], ctx: GradeContext, earned: float) -> float | None:
    """The points a revealed hint takes off the check (never more than it earned); None when no hint was used."""
    if not check.get("hint") or check["id"] not in ctx.hints_revealed:
        return None
    return min(earned, float(check["hint"]["penalty"]))


def grade(definition: Mapping[str, Any], ctx: GradeContext) -> GradeResult:
    """Run every check of a lab definition (a validated lab.json) against the learner's snapshot.

    A check whose hint the learner revealed (`ctx.hints_revealed`) earns its points minus the hint's penalty, down
    to 0; this is the one place the penalty is applied, so checks, submits, regrades and the gradebook agree.
    """
    results = []
    for check in definition["checks"]:
        outcome = _outcome(check, ctx)
        earned = float(check["points"]) if outcome.passed else 0.0
        penalty = _hint_penalty(check, ctx, earned)
        results.append(
            CheckResult(
                check_id=check["id"],
                title=check["title"],
                points=earned - (penalty or 0.0),
                max_points=float(check["points"]),
                passed=outcome.passed,
                feedback=render(check["feedback"]["pass" if outcome.passed else "fail"], ctx.variables),
                explanation=outcome.explanation,
                hint_penalty=penalty,
            )
        )
    return GradeResult(gradable=True, checks=tuple(results))
