"""Build engine inputs from the JSON scenario files in `cases/`.

A file has `topic`, `aws_doc` and `cases`. A case has `name` (a sentence stating the rule),
`aws_doc` (the AWS page of the rule), optionally `note` (where AWS is unclear) and `skip`,
`request` (`action`, `resource`, `principal`, `context`, `resource_account` and the
`make_context` fields in CONTEXT_FIELDS), `policies` (`identity`, `resource`, `boundary`,
`session`, `scps` as a list of levels) and `expected` (`decision`, `reasons`, `blocked_by`,
optionally `issues` and `rule`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from iam import Policy, PolicyInputs, PolicyKind, Principal, PrincipalKind, Request, make_context, parse_policy

CASES_DIR = Path(__file__).parent / "cases"


def case_files() -> list[Path]:
    return sorted(CASES_DIR.rglob("*.json"))


def load_file(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_cases() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in case_files():
        for case in load_file(path)["cases"]:
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


# Request fields that `make_context` turns into condition keys (session tags -> aws:PrincipalTag/*, ...).
CONTEXT_FIELDS = (
    "principal_tags",
    "request_tags",
    "resource_tags",
    "transitive_tag_keys",
    "external_id",
    "role_session_name",
    "source_identity",
    "current_time",
    "source_ip",
    "mfa_present",
)


def build_request(spec: dict[str, Any]) -> Request:
    principal = spec.get("principal")
    derived = {field: spec[field] for field in CONTEXT_FIELDS if field in spec}
    return Request(
        action=spec["action"],
        resource=spec["resource"],
        principal=build_principal(principal) if principal else None,
        context=make_context(spec.get("context", {}), **derived),
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
