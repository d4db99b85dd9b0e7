"""Mutants of a lab's reference solution, generated automatically for the publish gate.

Each mutant is the solution with one plausible mistake: a condition removed, a principal widened to `*`, an action
dropped (`sts:TagSession`, `sts:SetSourceIdentity`), a condition value or an external ID changed, a call left out.
A lab whose checks give a mutant full marks grades how JSON looks, not what it does, and cannot be published.
"""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import botocore.session

POLICY_PARAMS = ("AssumeRolePolicyDocument", "PolicyDocument", "Policy")
DROPPABLE_ACTIONS = ("sts:TagSession", "sts:SetSourceIdentity")
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Simulate")
WRONG_VALUE = "mutant-wrong-value"


@dataclass(frozen=True, slots=True)
class Mutant:
    name: str
    calls: list[dict[str, Any]]


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _with_document(
    calls: Sequence[Mapping[str, Any]], index: int, param: str, document: dict[str, Any]
) -> list[dict[str, Any]]:
    changed = copy.deepcopy([dict(call) for call in calls])
    changed[index]["params"][param] = json.dumps(document)
    return changed


def _document_mutants(calls: Sequence[Mapping[str, Any]], index: int, param: str, text: str) -> Iterator[Mutant]:
    try:
        original = json.loads(text)
    except ValueError:
        return
    where = f"call {index + 1} ({calls[index]['action']}) {param}"
    for number, statement in enumerate(_statements(original)):
        label = f"{where} statement {number + 1}"
        if statement.get("Condition"):
            mutated = copy.deepcopy(original)
            _statements(mutated)[number].pop("Condition")
            yield Mutant(f"{label}: condition removed", _with_document(calls, index, param, mutated))
            for operator, keys in statement["Condition"].items():
                for key in keys:
                    mutated = copy.deepcopy(original)
                    _statements(mutated)[number]["Condition"][operator][key] = WRONG_VALUE
                    yield Mutant(f"{label}: {operator} {key} changed", _with_document(calls, index, param, mutated))
        if "Principal" in statement and statement["Principal"] != {"AWS": "*"} and statement.get("Effect") == "Allow":
            mutated = copy.deepcopy(original)
            _statements(mutated)[number]["Principal"] = {"AWS": "*"}
            yield Mutant(f"{label}: principal widened to *", _with_document(calls, index, param, mutated))
        actions = statement.get("Action")
        listed = [actions] if isinstance(actions, str) else list(actions or [])
        for action in DROPPABLE_ACTIONS:
            if action in listed and len(listed) > 1:
                mutated = copy.deepcopy(original)
                _statements(mutated)[number]["Action"] = [a for a in listed if a != action]
                yield Mutant(f"{label}: {action} dropped", _with_document(calls, index, param, mutated))


@functools.lru_cache(maxsize=256)
def _required(service: str, action: str) -> frozenset[str]:
    if service == "console":
        return frozenset()
    try:
        shape = _SESSION.get_service_model(service).operation_model(action).input_shape
    except Exception:  # noqa: BLE001 - an unknown operation: nothing is known to be required
        return frozenset()
    return frozenset(shape.required_members) if shape is not None else frozenset()


_SESSION = botocore.session.get_session()


def _parameter_mutants(calls: Sequence[Mapping[str, Any]], index: int) -> Iterator[Mutant]:
    call = calls[index]
    params = call.get("params", {})
    where = f"call {index + 1} ({call['action']})"
    for name in ("ExternalId", "SourceIdentity", "DisplayName", "display_name"):
        if name in params:
            changed = copy.deepcopy([dict(c) for c in calls])
            changed[index]["params"][name] = WRONG_VALUE
            yield Mutant(f"{where}: {name} changed", changed)
    required = _required(str(call.get("service", "iam")), str(call["action"]))
    for name in ("Tags", "TransitiveTagKeys", "SerialNumber", "PermissionsBoundary"):
        # Leaving out what the API requires is not a learner's plausible mistake (boto3 refuses it before sending).
        droppable = call["action"] != "CreateRole" or name == "PermissionsBoundary"
        if name in params and name not in required and droppable:
            changed = copy.deepcopy([dict(c) for c in calls])
            changed[index]["params"].pop(name)
            if name == "SerialNumber":
                changed[index]["params"].pop("TokenCode", None)
            yield Mutant(f"{where}: {name} left out", changed)


def normalized(calls: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The calls with policy documents written as JSON text, as the API takes them (labs may write objects)."""
    result = copy.deepcopy([dict(call) for call in calls])
    for call in result:
        params = call.setdefault("params", {})
        for param in POLICY_PARAMS:
            if isinstance(params.get(param), dict):
                params[param] = json.dumps(params[param])
    return result


def mutants(calls: Sequence[Mapping[str, Any]]) -> list[Mutant]:
    """Every mutant of a solution, named so that a failing one says what it changed."""
    calls = normalized(calls)
    found: list[Mutant] = []
    for index, call in enumerate(calls):
        for param in POLICY_PARAMS:
            text = call.get("params", {}).get(param)
            if isinstance(text, str):
                found.extend(_document_mutants(calls, index, param, text))
        found.extend(_parameter_mutants(calls, index))
        if not str(call["action"]).startswith(READ_ONLY_PREFIXES) and not call.get("keep_in_mutants"):
            skipped = [dict(c) for i, c in enumerate(calls) if i != index]
            found.append(Mutant(f"call {index + 1} ({call['action']}) left out", skipped))
    return found
