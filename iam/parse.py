"""Policy JSON -> `Policy`; raises `PolicySyntaxError` with a JSON path and, for text, a line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from iam import errors
from iam.errors import PolicySyntaxError
from iam.jsonpos import child_path, line_of, locate_lines
from iam.limits import (
    MANAGED_POLICY_SIZE_LIMIT,
    SESSION_POLICY_SIZE_LIMIT,
    TRUST_POLICY_SIZE_LIMIT,
    counted_size,
)
from iam.matching import action_matches
from iam.model import Effect, Policy, PolicyKind, PolicyVersion, Statement, StatementRef
from iam.parse_condition import parse_conditions
from iam.parse_principal import parse_principals
from iam.trust import TRUST_ACTIONS

_DOCUMENT_KEYS = ("Version", "Id", "Statement")
_STATEMENT_KEYS = (
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
)  # fmt: skip
_ALPHANUMERIC = re.compile(r"[0-9A-Za-z]*\Z")
_IAM_KINDS = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY)
_RESOURCE_REQUIRED = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP)


def parse_policy(
    doc: str | Mapping[str, Any], *, name: str, kind: PolicyKind = PolicyKind.IDENTITY, check_size: bool = True
) -> Policy:
    """Parse and validate a policy document as IAM would for a policy of `kind`.

    Raises `PolicySyntaxError` for the first problem found. A missing Version means
    `2008-10-17`, in which `${...}` is literal text. `check_size=False` skips the size quotas:
    for AWS managed policies, which the customer quotas do not cover (ReadOnlyAccess is about
    95,000 characters), and for stored documents that were checked when they were written.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    """
    text, data = _load(doc)
    if check_size:
        _check_size(text, kind)
    try:
        return _parse_document(data, name=name, kind=kind, text=text)
    except PolicySyntaxError as error:
        if not isinstance(doc, str):
            raise
        # Line numbers are worked out only for a document that fails: parsing a good one stays cheap.
        raise error.with_line(line_of(locate_lines(doc), error.path)) from None


def _reject_constant(value: str) -> Any:
    raise ValueError(value)


def _load(doc: str | Mapping[str, Any]) -> tuple[str, Any]:
    if isinstance(doc, str):
        try:
            data = json.loads(doc, parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            raise PolicySyntaxError(errors.SYNTAX_ERRORS, line=error.lineno) from None
        except (ValueError, RecursionError):
            # RecursionError: JSON nested about a thousand levels deep; AWS's size limits refuse such text anyway.
            raise PolicySyntaxError(errors.SYNTAX_ERRORS) from None
        return doc, data
    if not isinstance(doc, Mapping):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS)
    try:
        return json.dumps(doc, indent=2, allow_nan=False), doc
    except (TypeError, ValueError, RecursionError):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS) from None


def _check_size(text: str, kind: PolicyKind) -> None:
    """AWS counts trust and managed policies without whitespace, session policies as plain text."""
    if kind is PolicyKind.SESSION and len(text) > SESSION_POLICY_SIZE_LIMIT:
        message = errors.SESSION_POLICY_TOO_LARGE.format(limit=SESSION_POLICY_SIZE_LIMIT)
        raise PolicySyntaxError(message, code=errors.VALIDATION_ERROR)
    if kind is PolicyKind.TRUST and counted_size(text) > TRUST_POLICY_SIZE_LIMIT:
        message = errors.TRUST_POLICY_TOO_LARGE.format(limit=TRUST_POLICY_SIZE_LIMIT)
        raise PolicySyntaxError(message, code=errors.LIMIT_EXCEEDED)
    if kind in _IAM_KINDS and counted_size(text) > MANAGED_POLICY_SIZE_LIMIT:
        message = errors.POLICY_TOO_LARGE.format(limit=MANAGED_POLICY_SIZE_LIMIT)
        raise PolicySyntaxError(message, code=errors.LIMIT_EXCEEDED)


def _parse_document(data: Any, *, name: str, kind: PolicyKind, text: str) -> Policy:
    if not isinstance(data, dict):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS)
    _reject_unknown(data, _DOCUMENT_KEYS, path="$")
    policy_id = data.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path="$.Id")
    version = _version(data)
    statements = tuple(
        _parse_statement(raw, path=path, ref=_ref(raw, name, index), kind=kind)
        for index, (path, raw) in enumerate(_statement_items(data))
    )
    _check_unique_sids(statements, kind)
    return Policy(name=name, kind=kind, version=version, statements=statements, text=text, id=policy_id)


def _version(data: dict[str, Any]) -> PolicyVersion:
    if "Version" not in data:
        return PolicyVersion.V2008_10_17
    try:
        return PolicyVersion(data["Version"])
    except ValueError:
        raise PolicySyntaxError(errors.LEGACY_PARSING, path="$.Version") from None


def _statement_items(data: dict[str, Any]) -> list[tuple[str, Any]]:
    raw = data.get("Statement")
    if isinstance(raw, dict):
        return [("$.Statement", raw)]
    if not isinstance(raw, list) or not raw:
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path="$.Statement" if "Statement" in data else "$")
    return [(child_path("$.Statement", index), item) for index, item in enumerate(raw)]


def _ref(raw: Any, policy_name: str, index: int) -> StatementRef:
    sid = raw.get("Sid") if isinstance(raw, dict) else None
    return StatementRef(policy_name, index, sid if isinstance(sid, str) and sid else None)


def _reject_unknown(raw: dict[str, Any], known: tuple[str, ...], *, path: str) -> None:
    for key in raw:
        if key not in known:
            raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=child_path(path, key))


def _parse_statement(raw: Any, *, path: str, ref: StatementRef, kind: PolicyKind) -> Statement:
    if not isinstance(raw, dict):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=path)
    _reject_unknown(raw, _STATEMENT_KEYS, path=path)
    _check_sid(raw, path=path, kind=kind)
    effect = _effect(raw, path=path)
    actions, not_actions = _actions(raw, path=path, kind=kind)
    principals, not_principals = parse_principals(raw, path=path, kind=kind)
    resources, not_resources = _resources(raw, path=path, kind=kind)
    condition_path = child_path(path, "Condition")
    conditions = parse_conditions(raw["Condition"], path=condition_path) if "Condition" in raw else ()
    return Statement(
        ref=ref,
        effect=effect,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principals=principals,
        not_principals=not_principals,
        conditions=conditions,
        path=path,
    )


def _check_sid(raw: dict[str, Any], *, path: str, kind: PolicyKind) -> None:
    """Any string is accepted, except that IAM policies allow only `[0-9A-Za-z]` in a Sid.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
    """
    if "Sid" not in raw:
        return
    sid = raw["Sid"]
    if not isinstance(sid, str):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=child_path(path, "Sid"))
    if kind in _IAM_KINDS and not _ALPHANUMERIC.match(sid):
        raise PolicySyntaxError(errors.SID_NOT_ALPHANUMERIC, path=child_path(path, "Sid"))


def _check_unique_sids(statements: tuple[Statement, ...], kind: PolicyKind) -> None:
    if kind not in _IAM_KINDS:
        return
    seen: set[str] = set()
    for statement in statements:
        if statement.sid in seen:
            raise PolicySyntaxError(errors.SID_NOT_UNIQUE, path=child_path(statement.path, "Sid"))
        if statement.sid:
            seen.add(statement.sid)


def _effect(raw: dict[str, Any], *, path: str) -> Effect:
    """`Allow` or `Deny`, case-sensitive."""
    if "Effect" not in raw:
        raise PolicySyntaxError(errors.MISSING_FIELD.format(field="Effect"), path=path)
    value = raw["Effect"]
    if value not in (Effect.ALLOW.value, Effect.DENY.value) or not isinstance(value, str):
        shown = value if isinstance(value, str) else json.dumps(value)
        raise PolicySyntaxError(errors.INVALID_EFFECT.format(effect=shown), path=child_path(path, "Effect"))
    return Effect(value)


def _one_of(raw: dict[str, Any], element: str, *, path: str) -> tuple[str, str] | None:
    """The element present (`X` or `NotX`) and its path; both at once is a syntax error."""
    negated = f"Not{element}"
    if element in raw and negated in raw:
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=child_path(path, negated))
    for name in (element, negated):
        if name in raw:
            return name, child_path(path, name)
    return None


def _strings(value: Any, *, path: str, empty_message: str) -> tuple[tuple[str, str], ...]:
    """A string or a non-empty list of strings, each with its path."""
    if isinstance(value, str):
        return ((path, value),)
    if not isinstance(value, list):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=path)
    if not value:
        raise PolicySyntaxError(empty_message, path=path)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=child_path(path, index))
    return tuple((child_path(path, index), item) for index, item in enumerate(value))


def _actions(raw: dict[str, Any], *, path: str, kind: PolicyKind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Action or NotAction: `*` or `vendor:action`; trust policies only name STS assume actions.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    found = _one_of(raw, "Action", path=path)
    if found is None:
        raise PolicySyntaxError(errors.MISSING_ACTIONS, path=path)
    name, element_path = found
    items = _strings(raw[name], path=element_path, empty_message=errors.MISSING_ACTIONS)
    for item_path, action in items:
        _check_action(action, path=item_path)
        if kind is PolicyKind.TRUST and name == "Action" and not _is_trust_action(action):
            raise PolicySyntaxError(errors.TRUST_ACTIONS_ONLY, path=item_path)
    values = tuple(action for _, action in items)
    return (values, ()) if name == "Action" else ((), values)


def _check_action(action: str, *, path: str) -> None:
    if action == "*":
        return
    vendor, colon, rest = action.partition(":")
    if not vendor or not colon:
        raise PolicySyntaxError(errors.VENDOR_PREFIX, path=path)
    if ":" in rest:
        raise PolicySyntaxError(errors.ONE_COLON, path=path)


def _is_trust_action(pattern: str) -> bool:
    return any(action_matches(pattern, action) for action in TRUST_ACTIONS)


def _resources(raw: dict[str, Any], *, path: str, kind: PolicyKind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Resource or NotResource: `*` or an ARN; none in trust policies.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    found = _one_of(raw, "Resource", path=path)
    if found is None:
        if kind in _RESOURCE_REQUIRED:
            raise PolicySyntaxError(errors.MISSING_RESOURCES, path=path)
        return (), ()
    name, element_path = found
    if kind is PolicyKind.TRUST:
        raise PolicySyntaxError(errors.PROHIBITED_FIELD.format(field=name), path=element_path)
    items = _strings(raw[name], path=element_path, empty_message=errors.MISSING_RESOURCES)
    for item_path, resource in items:
        if resource != "*" and (not resource.startswith("arn:") or resource.count(":") < 5):
            raise PolicySyntaxError(errors.RESOURCE_NOT_ARN.format(resource=resource), path=item_path)
    values = tuple(resource for _, resource in items)
    return (values, ()) if name == "Resource" else ((), values)
