"""Probe checks: principals that must / must not be able to assume a role, or perform an action.

A failing probe explains with the engine's trace which statement or condition decided, in the learner's language,
and names the probe by its label (never the expected answer).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import iam
from labs.grading.context import GradeContext
from labs.grading.outcome import CheckOutcome, Explanation, explained, joined, no_role, passed, said
from labs.grading.probes import OVER_CHAIN, ProbeOutcome, probe_assume, probe_permission


def _label(probe: Mapping[str, Any]) -> Explanation:
    label = probe.get("label")
    if isinstance(label, Mapping):
        return said(f"probe: {label.get('en', '')}", f"점검: {label.get('ko', label.get('en', ''))}")
    return said(f"probe: {probe['principal']}", f"점검: {probe['principal']}")


def _why(outcome: ProbeOutcome) -> Explanation:
    if outcome.rule:
        chain = "역할 체인의 세션은 1시간을 넘을 수 없습니다"
        ko = chain if outcome.rule == OVER_CHAIN else "요청한 기간이 역할의 최대 세션 기간을 넘습니다"
        return said(outcome.rule, ko)
    return explained(outcome.evaluations[-1:])


def _judge(probes: list[Mapping[str, Any]], run: Any) -> CheckOutcome:
    wrong: list[Explanation] = []
    for probe in probes:
        try:
            outcome = run(probe)
        except LookupError as error:
            return CheckOutcome(False, said(str(error), str(error)))
        except iam.PolicySyntaxError as error:
            return CheckOutcome(False, said(f"a policy does not parse: {error.message}",
                                            f"정책을 해석할 수 없습니다: {error.message}"))
        if outcome.allowed != (probe.get("expect", "allow") == "allow"):
            wrong.append(joined(_label(probe), _why(outcome)))
    return passed() if not wrong else CheckOutcome(False, joined(*wrong))


def check_trust_probes(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = ctx.role(str(params["role_name"]), params.get("account"))
    if role is None:
        account = ctx.account(params.get("account"))
        return no_role(str(params["role_name"]), account.account_id if account else str(params.get("account")))
    return _judge(list(params["probes"]), lambda probe: probe_assume(ctx, role, probe))


def check_trust_allows(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    probe = {"principal": params["principal"], "action": params.get("action", "sts:AssumeRole"), "expect": "allow"}
    return check_trust_probes(ctx, {**params, "probes": [probe]})


def check_trust_denies(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    probes = [{**probe, "expect": "deny"} for probe in params["probes"]]
    return check_trust_probes(ctx, {**params, "probes": probes})


def check_permission_probes(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    return _judge(list(params["probes"]), lambda probe: probe_permission(ctx, probe))
