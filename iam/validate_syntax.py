"""Every reason IAM would reject a policy document, found in one pass (the parser stops at the first)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from iam.conditions.registry import parse_operator_name
from iam.errors import PolicySyntaxError
from iam.findings import Finding, shown
from iam.findings import FindingCode as Code
from iam.jsonpos import child_path
from iam.matching import action_matches
from iam.model import ConditionOperator, PolicyKind, PolicyVersion, PrincipalKind, SetQualifier
from iam.parse_principal import parse_principal_element
from iam.trust import TRUST_ACTIONS

DOCUMENT_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
)  # fmt: skip
KIND_NAMES: Mapping[PolicyKind, str] = {
    PolicyKind.IDENTITY: "an identity-based policy",
    PolicyKind.RESOURCE: "a resource-based policy",
    PolicyKind.TRUST: "a role trust policy",
    PolicyKind.BOUNDARY: "a permissions boundary",
    PolicyKind.SESSION: "a session policy",
    PolicyKind.SCP: "a service control policy",
}
"""How messages name each policy type."""

_IAM_KINDS = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY)
_NO_PRINCIPAL = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP)
_RESOURCE_REQUIRED = _NO_PRINCIPAL
_ALPHANUMERIC = re.compile(r"[0-9A-Za-z]*\Z")
_PRINCIPAL_KEYS = tuple(kind.value for kind in PrincipalKind)
_OPERATOR_NAMES = tuple(operator.value for operator in ConditionOperator) + tuple(
    f"{qualifier}:{operator}" for qualifier in SetQualifier for operator in ConditionOperator
)
_PRINCIPAL_HINTS: Mapping[str, str] = {
    PrincipalKind.AWS: "use an account ID or the ARN of an account root, user, role or role session",
    PrincipalKind.SERVICE: "a service principal looks like `ec2.amazonaws.com`",
    PrincipalKind.FEDERATED: "use a SAML or OIDC provider ARN or a domain such as `accounts.google.com`",
    PrincipalKind.CANONICAL_USER: "a canonical user ID is 64 hexadecimal digits",
}


def statement_items(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The raw statements of a document with their paths (`Statement` may be one object or a list)."""
    raw = data.get("Statement")
    if isinstance(raw, dict):
        return [("$.Statement", raw)]
    if isinstance(raw, list):
        return [(child_path("$.Statement", index), item) for index, item in enumerate(raw)]
    return []


def syntax_findings(data: Any, *, kind: PolicyKind) -> tuple[Finding, ...]:
    """The ERROR findings for every problem `parse_policy` would raise, one at a time, for `data`.

    Mirrors `iam/parse.py`, `iam/parse_principal.py` and `iam/parse_condition.py` rule by rule
    (size quotas excepted); `tests/iam/test_validate.py` checks that the parser's first error
    is always among these, and that a document the parser accepts has none.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    return tuple(_document(data, kind))


def json_type(value: Any) -> str:
    """A JSON value's type in words: `a string`, `a number`, `an array` ..."""
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "an array" if isinstance(value, list) else "an object"


def _document(data: Any, kind: PolicyKind) -> Iterator[Finding]:
    if not isinstance(data, dict):
        yield Finding.of(Code.DATA_TYPE_MISMATCH, f"a policy must be a JSON object, not {json_type(data)}")
        return
    yield from _unknown(data, DOCUMENT_ELEMENTS, path="$", where="a policy")
    if "Version" in data and not _is_version(data["Version"]):
        message = f"{shown(data['Version'])} is not a policy language version; use `2012-10-17`"
        yield Finding.of(Code.INVALID_VERSION, message, path="$.Version")
    if data.get("Id") is not None and not isinstance(data["Id"], str):
        yield Finding.of(Code.DATA_TYPE_MISMATCH, f"`Id` must be a string, not {json_type(data['Id'])}", path="$.Id")
    yield from _statement_list(data, kind)
    for path, raw in statement_items(data):
        yield from _statement(raw, path=path, kind=kind)
    if kind in _IAM_KINDS:
        yield from _duplicate_sids(data, kind)


def _is_version(value: Any) -> bool:
    try:
        PolicyVersion(value)
    except (TypeError, ValueError):
        return False
    return True


def _statement_list(data: dict[str, Any], kind: PolicyKind) -> Iterator[Finding]:
    raw = data.get("Statement")
    if "Statement" not in data:
        yield Finding.of(Code.MISSING_STATEMENT, "the policy has no `Statement`; add at least one statement")
    elif isinstance(raw, list) and not raw:
        message = "`Statement` is an empty array; add at least one statement"
        yield Finding.of(Code.MISSING_STATEMENT, message, path="$.Statement")
    elif not isinstance(raw, dict | list):
        message = f"`Statement` must be an object or an array of objects, not {json_type(raw)}"
        yield Finding.of(Code.DATA_TYPE_MISMATCH, message, path="$.Statement")


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    """`; did you mean `X`?` for a close option (ignoring case), else the empty string."""
    lowered = {option.lower(): option for option in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
    return f"; did you mean `{lowered[close[0]]}`?" if close else ""


def _listed(names: Sequence[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _unknown(raw: dict[str, Any], known: Sequence[str], *, path: str, where: str) -> Iterator[Finding]:
    for key in raw:
        if key not in known:
            hint = _did_you_mean(key, known) or f"; use {_listed(known)}"
            message = f"{shown(key)} is not an element of {where}{hint}"
            yield Finding.of(Code.UNKNOWN_ELEMENT, message, path=child_path(path, key))


def _statement(raw: Any, *, path: str, kind: PolicyKind) -> Iterator[Finding]:
    if not isinstance(raw, dict):
        yield Finding.of(Code.DATA_TYPE_MISMATCH, f"a statement must be an object, not {json_type(raw)}", path=path)
        return
    yield from _unknown(raw, STATEMENT_ELEMENTS, path=path, where="a statement")
    yield from _sid(raw, path=path, kind=kind)
    yield from _effect(raw, path=path)
    yield from _actions(raw, path=path, kind=kind)
    yield from _principals(raw, path=path, kind=kind)
    yield from _resources(raw, path=path, kind=kind)
    if "Condition" in raw:
        yield from _condition(raw["Condition"], path=child_path(path, "Condition"))


def _sid(raw: dict[str, Any], *, path: str, kind: PolicyKind) -> Iterator[Finding]:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"""
    if "Sid" not in raw:
        return
    sid, sid_path = raw["Sid"], child_path(path, "Sid")
    if not isinstance(sid, str):
        yield Finding.of(Code.DATA_TYPE_MISMATCH, f"`Sid` must be a string, not {json_type(sid)}", path=sid_path)
    elif kind in _IAM_KINDS and not _ALPHANUMERIC.match(sid):
        message = f"{shown(sid)} is not a valid `Sid`: in {KIND_NAMES[kind]} a `Sid` has only letters and digits"
        yield Finding.of(Code.UNSUPPORTED_SID, message, path=sid_path)


def _duplicate_sids(data: dict[str, Any], kind: PolicyKind) -> Iterator[Finding]:
    seen: set[str] = set()
    for path, raw in statement_items(data):
        sid = raw.get("Sid") if isinstance(raw, dict) else None
        if not isinstance(sid, str) or not sid:
            continue
        if sid in seen:
            message = f"the `Sid` {shown(sid)} is already used; in {KIND_NAMES[kind]} every `Sid` must be unique"
            yield Finding.of(Code.UNIQUE_SIDS_REQUIRED, message, path=child_path(path, "Sid"))
        seen.add(sid)


def _effect(raw: dict[str, Any], *, path: str) -> Iterator[Finding]:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html"""
    if "Effect" not in raw:
        message = 'the statement has no `Effect`; add `"Effect": "Allow"` or `"Effect": "Deny"`'
        yield Finding.of(Code.MISSING_EFFECT, message, path=path)
        return
    value = raw["Effect"]
    if isinstance(value, str) and value in ("Allow", "Deny"):
        return
    case = " (the effect is case-sensitive)" if isinstance(value, str) and value.lower() in ("allow", "deny") else ""
    message = f"{shown(value)} is not an effect; use `Allow` or `Deny`{case}"
    yield Finding.of(Code.INVALID_EFFECT, message, path=child_path(path, "Effect"))


def _both(raw: dict[str, Any], element: str, *, path: str) -> Iterator[Finding]:
    if element in raw and f"Not{element}" in raw:
        message = f"a statement cannot have both `{element}` and `Not{element}`"
        yield Finding.of(Code.UNSUPPORTED_ELEMENT_COMBINATION, message, path=child_path(path, f"Not{element}"))


def _strings(value: Any, *, path: str, element: str, empty: Code) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Problems with a string-or-list element, and its string items with their paths."""
    if isinstance(value, str):
        return [], [(path, value)]
    if not isinstance(value, list):
        message = f"`{element}` must be a string or an array of strings, not {json_type(value)}"
        return [Finding.of(Code.DATA_TYPE_MISMATCH, message, path=path)], []
    if not value:
        return [Finding.of(empty, f"`{element}` is an empty array; name at least one value", path=path)], []
    findings: list[Finding] = []
    items: list[tuple[str, str]] = []
    for index, item in enumerate(value):
        item_path = child_path(path, index)
        if isinstance(item, str):
            items.append((item_path, item))
        else:
            message = f"each item of `{element}` must be a string, not {json_type(item)}"
            findings.append(Finding.of(Code.DATA_TYPE_MISMATCH, message, path=item_path))
    return findings, items


def action_problem(action: str) -> str | None:
    """Why `action` is not `*` or `vendor:action` with one colon, or None when it is.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    if action == "*":
        return None
    vendor, colon, rest = action.partition(":")
    if not vendor or not colon:
        return f"{shown(action)} is not an action; write `service:ActionName`, such as `s3:GetObject`"
    if ":" in rest:
        return f"{shown(action)} is not an action; an action has exactly one colon, as in `s3:GetObject`"
    return None


def _actions(raw: dict[str, Any], *, path: str, kind: PolicyKind) -> Iterator[Finding]:
    present = [name for name in ("Action", "NotAction") if name in raw]
    if not present:
        message = "the statement has no `Action` or `NotAction`; name the actions it applies to"
        yield Finding.of(Code.MISSING_ACTION, message, path=path)
    yield from _both(raw, "Action", path=path)
    for name in present:
        findings, items = _strings(raw[name], path=child_path(path, name), element=name, empty=Code.MISSING_ACTION)
        yield from findings
        for item_path, action in items:
            problem = action_problem(action)
            if problem:
                yield Finding.of(Code.INVALID_ACTION, problem, path=item_path)
            elif kind is PolicyKind.TRUST and name == "Action" and not _is_trust_action(action):
                message = f"{shown(action)} cannot be used in a role trust policy; use {_listed(TRUST_ACTIONS)}"
                yield Finding.of(Code.UNSUPPORTED_ACTION_IN_POLICY, message, path=item_path)


def _is_trust_action(pattern: str) -> bool:
    return any(action_matches(pattern, action) for action in TRUST_ACTIONS)


def _principals(raw: dict[str, Any], *, path: str, kind: PolicyKind) -> Iterator[Finding]:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    present = [name for name in ("Principal", "NotPrincipal") if name in raw]
    if kind in _NO_PRINCIPAL:
        for name in present:
            where = KIND_NAMES[kind]
            message = f"`{name}` is not allowed in {where}; only trust and resource-based policies name principals"
            yield Finding.of(Code.UNSUPPORTED_PRINCIPAL, message, path=child_path(path, name))
        return
    if not present:
        who = "who can assume the role" if kind is PolicyKind.TRUST else "who gets access"
        message = f"the statement has no `Principal`; {KIND_NAMES[kind]} must name {who}"
        yield Finding.of(Code.MISSING_PRINCIPAL, message, path=path)
    if "NotPrincipal" in raw and kind is PolicyKind.TRUST:
        message = "role trust policies do not support `NotPrincipal`; name the trusted principals in `Principal`"
        code = Code.ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL
        yield Finding.of(code, message, path=child_path(path, "NotPrincipal"))
        present = [name for name in present if name != "NotPrincipal"]
    else:
        yield from _both(raw, "Principal", path=path)
    for name in present:
        yield from _principal_element(raw[name], path=child_path(path, name), element=name)


def _principal_element(value: Any, *, path: str, element: str) -> Iterator[Finding]:
    if value == "*":
        return
    if not isinstance(value, dict) or not value:
        message = f'`{element}` must be `*` or an object such as `{{"AWS": "123456789012"}}`'
        yield Finding.of(Code.INVALID_PRINCIPAL_FORMAT, message, path=path)
        return
    for key, item in value.items():
        key_path = child_path(path, key)
        if key not in _PRINCIPAL_KEYS:
            hint = _did_you_mean(key, _PRINCIPAL_KEYS) or f"; use {_listed(_PRINCIPAL_KEYS)}"
            yield Finding.of(Code.INVALID_PRINCIPAL_KEY, f"{shown(key)} is not a principal type{hint}", path=key_path)
        elif isinstance(item, list) and item:
            for index, text in enumerate(item):
                yield from _principal_value(key, text, path=child_path(key_path, index))
        elif isinstance(item, str):
            yield from _principal_value(key, item, path=key_path)
        else:
            message = f"a `{key}` principal must be a string or a non-empty array of strings"
            yield Finding.of(Code.INVALID_PRINCIPAL_FORMAT, message, path=key_path)


def _principal_value(key: str, text: Any, *, path: str) -> Iterator[Finding]:
    if not isinstance(text, str):
        message = f"each `{key}` principal must be a string, not {json_type(text)}"
        yield Finding.of(Code.INVALID_PRINCIPAL, message, path=path)
        return
    try:
        parse_principal_element({key: text}, path=path)
    except PolicySyntaxError:
        hint = "`*` stands alone, without partial wildcards" if "*" in text else _PRINCIPAL_HINTS[key]
        yield Finding.of(Code.INVALID_PRINCIPAL, f"{shown(text)} is not a valid `{key}` principal; {hint}", path=path)


def is_arn_or_star(resource: str) -> bool:
    """`*`, or text that starts `arn:` and has the six colon-separated parts of an ARN."""
    return resource == "*" or (resource.startswith("arn:") and resource.count(":") >= 5)


def _resources(raw: dict[str, Any], *, path: str, kind: PolicyKind) -> Iterator[Finding]:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"""
    present = [name for name in ("Resource", "NotResource") if name in raw]
    yield from _both(raw, "Resource", path=path)
    if kind is PolicyKind.TRUST:
        for name in present[:1]:
            message = f"role trust policies do not support `{name}`; a trust policy always applies to its own role"
            yield Finding.of(Code.ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE, message, path=child_path(path, name))
        return
    if not present and kind in _RESOURCE_REQUIRED:
        message = f"the statement has no `Resource` or `NotResource`; statements in {KIND_NAMES[kind]} need one"
        yield Finding.of(Code.MISSING_RESOURCE, message, path=path)
    for name in present:
        findings, items = _strings(raw[name], path=child_path(path, name), element=name, empty=Code.MISSING_RESOURCE)
        yield from findings
        for item_path, resource in items:
            if not is_arn_or_star(resource):
                message = f"{shown(resource)} is not an ARN; use `*` or an ARN such as `arn:aws:s3:::my-bucket/*`"
                yield Finding.of(Code.INVALID_ARN, message, path=item_path)


def _condition(value: Any, *, path: str) -> Iterator[Finding]:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html"""
    if not isinstance(value, dict):
        message = f"`Condition` must be an object of condition operators, not {json_type(value)}"
        yield Finding.of(Code.DATA_TYPE_MISMATCH, message, path=path)
        return
    for name, block in value.items():
        operator_path = child_path(path, name)
        if parse_operator_name(name) is None:
            yield _unknown_operator(name, path=operator_path)
        elif not isinstance(block, dict):
            message = f"{shown(name)} must be an object of condition keys, not {json_type(block)}"
            yield Finding.of(Code.DATA_TYPE_MISMATCH, message, path=operator_path)
        if isinstance(block, dict):
            for key, values in block.items():
                yield from _condition_key(key, values, path=child_path(operator_path, key))


def _unknown_operator(name: str, *, path: str) -> Finding:
    base = name.split(":", 1)[-1] if name.startswith(("ForAllValues:", "ForAnyValue:")) else name
    if base == "NullIfExists":
        return Finding.of(Code.NULL_WITH_IF_EXISTS, "`Null` cannot take the `IfExists` suffix; use `Null`", path=path)
    suffix = "IfExists" if name.endswith("IfExists") else ""
    hint = _did_you_mean(name.removesuffix(suffix), _OPERATOR_NAMES)
    hint = hint.replace("`?", f"{suffix}`?") if hint else "; see the condition operators AWS defines"
    return Finding.of(Code.UNKNOWN_OPERATOR, f"{shown(name)} is not a condition operator{hint}", path=path)


def _condition_key(key: str, values: Any, *, path: str) -> Iterator[Finding]:
    vendor, colon, _ = key.partition(":")
    if not vendor or not colon:
        message = f"{shown(key)} is not a condition key; write `service:name`, such as `aws:SourceIp`"
        yield Finding.of(Code.INVALID_CONDITION_KEY_FORMAT, message, path=path)
    items = list(enumerate(values)) if isinstance(values, list) else [(None, values)]
    for index, item in items:
        if not isinstance(item, str | int | float):
            message = f"the values of {shown(key)} must be strings, numbers or booleans, not {json_type(item)}"
            yield Finding.of(Code.DATA_TYPE_MISMATCH, message, path=path if index is None else child_path(path, index))
