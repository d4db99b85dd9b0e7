"""Activity checks: the learner actually did it, read from their event history (and console switches)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labs.grading.context import EventView, GradeContext
from labs.grading.outcome import CheckOutcome, failed, passed


def _value(record: Mapping[str, Any], dotted: str) -> Any:
    current: Any = record
    for part in dotted.split("."):
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            return None
    return current


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        if "exists" in wanted:
            return (value is not None) == bool(wanted["exists"])
        if "contains" in wanted:
            return value is not None and str(wanted["contains"]) in str(value)
        if "not" in wanted:
            return bool(value != wanted["not"])
    return bool(value == wanted)


def matching_events(ctx: GradeContext, params: Mapping[str, Any]) -> list[EventView]:
    account = ctx.account(params["account"]) if params.get("account") else None
    found = []
    for event in ctx.events:
        source = params.get("event_source")
        if event.name != params["event_name"] or (source and event.source != source):
            continue
        if account is not None and event.account_id != account.account_id:
            continue
        if params.get("succeeded", True) != event.succeeded:
            continue
        if all(_matches(_value(event.record, key), wanted) for key, wanted in params.get("match", {}).items()):
            found.append(event)
    return found


def check_event(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    """At least `count` events (default 1) of `event_name` matching every `match` entry (dotted paths)."""
    if len(matching_events(ctx, params)) >= int(params.get("count", 1)):
        return passed()
    name = params["event_name"]
    return failed(f"your event history has no matching `{name}` call yet",
        f"이벤트 기록에 조건에 맞는 `{name}` 호출이 아직 없습니다")


def check_console_switch(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The learner switched to the role in the console (with the display name and colour asked for)."""
    role = ctx.role(str(params["role_name"]), params.get("account"))
    if role is None:
        return failed("the role does not exist", "역할이 없습니다")
    for switch in ctx.console_switches:
        if switch.role_arn != role.arn:
            continue
        if "display_name" in params and switch.display_name != params["display_name"]:
            continue
        if "color" in params and switch.color != params["color"]:
            continue
        return passed()
    return failed("you have not switched to this role in the console as asked yet",
                  "콘솔에서 요청한 대로 이 역할로 전환한 기록이 아직 없습니다")
