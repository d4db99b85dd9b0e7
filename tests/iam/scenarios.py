"""Build engine inputs from the JSON scenario files in `cases/`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from iam import Context, Policy, PolicyInputs, PolicyKind, Principal, PrincipalKind, Request, parse_policy

CASES_DIR = Path(__file__).parent / "cases"


def case_files() -> list[Path]:
    return sorted(CASES_DIR.rglob("*.json"))


def load_cases() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in case_files():
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            yield path, case


def build_policy(spec: dict[str, Any], default_kind: PolicyKind) -> Policy:
    kind = PolicyKind(spec.get("kind", default_kind))
    return parse_policy(spec["document"], name=spec["name"], kind=kind)


def build_inputs(spec: dict[str, Any]) -> PolicyInputs:
    resource = spec.get("resource")
    boundary = spec.get("boundary")
    return PolicyInputs(
        identity=tuple(build_policy(item, PolicyKind.IDENTITY) for item in spec.get("identity", [])),
        resource=build_policy(resource, PolicyKind.RESOURCE) if resource else None,
        boundary=build_policy(boundary, PolicyKind.BOUNDARY) if boundary else None,
        session=tuple(build_policy(item, PolicyKind.SESSION) for item in spec.get("session", [])),
        scps=tuple(tuple(build_policy(item, PolicyKind.SCP) for item in level) for level in spec.get("scps", [])),
    )


def build_request(spec: dict[str, Any]) -> Request:
    principal = spec.get("principal")
    return Request(
        action=spec["action"],
        resource=spec["resource"],
        principal=build_principal(principal) if principal else None,
        context=Context.from_mapping(spec.get("context", {})),
        resource_account=spec.get("resource_account"),
    )


def build_principal(spec: dict[str, Any]) -> Principal:
    return Principal(
        kind=PrincipalKind(spec.get("kind", "AWS")),
        arn=spec["arn"],
        account=spec.get("account"),
        unique_id=spec.get("unique_id"),
        role_arn=spec.get("role_arn"),
    )
