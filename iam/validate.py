"""Policy validation as the console's editors show it: errors, warnings and security warnings, placed."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iam import errors
from iam.errors import PolicySyntaxError
from iam.findings import Finding, FindingCode, Severity
from iam.jsonpos import Position, locate, position_of, split_path
from iam.limits import MANAGED_POLICY_SIZE_LIMIT, SESSION_POLICY_SIZE_LIMIT, TRUST_POLICY_SIZE_LIMIT, counted_size
from iam.model import PolicyKind
from iam.parse import parse_policy
from iam.validate_checks import policy_findings
from iam.validate_syntax import KIND_NAMES, syntax_findings

_SEVERITY_ORDER = tuple(Severity)
_SIZE_LIMITS: Mapping[PolicyKind, int] = {
    PolicyKind.TRUST: TRUST_POLICY_SIZE_LIMIT,
    PolicyKind.IDENTITY: MANAGED_POLICY_SIZE_LIMIT,
    PolicyKind.BOUNDARY: MANAGED_POLICY_SIZE_LIMIT,
    PolicyKind.SESSION: SESSION_POLICY_SIZE_LIMIT,
}


def _template(message: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{\w+\\\}", ".*", re.escape(message)), re.DOTALL)


_MESSAGE_CODES: tuple[tuple[re.Pattern[str], FindingCode], ...] = (
    (_template(errors.LEGACY_PARSING), FindingCode.INVALID_VERSION),
    (_template(errors.MISSING_ACTIONS), FindingCode.MISSING_ACTION),
    (_template(errors.MISSING_RESOURCES), FindingCode.MISSING_RESOURCE),
    (_template(errors.ONE_COLON), FindingCode.INVALID_ACTION),
    (_template(errors.RESOURCE_NOT_ARN), FindingCode.INVALID_ARN),
    (_template(errors.PRINCIPAL_NOT_ALLOWED), FindingCode.UNSUPPORTED_PRINCIPAL),
    (_template(errors.INVALID_PRINCIPAL), FindingCode.INVALID_PRINCIPAL),
    (_template(errors.INVALID_EFFECT), FindingCode.INVALID_EFFECT),
    (_template(errors.SID_NOT_ALPHANUMERIC), FindingCode.UNSUPPORTED_SID),
    (_template(errors.SID_NOT_UNIQUE), FindingCode.UNIQUE_SIDS_REQUIRED),
    (_template(errors.TRUST_ACTIONS_ONLY), FindingCode.UNSUPPORTED_ACTION_IN_POLICY),
    (_template(errors.MISSING_FIELD.format(field="Effect")), FindingCode.MISSING_EFFECT),
    (_template(errors.MISSING_FIELD.format(field="Principal")), FindingCode.MISSING_PRINCIPAL),
    (
        _template(errors.PROHIBITED_FIELD.format(field="NotPrincipal")),
        FindingCode.ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL,
    ),
    (_template(errors.PROHIBITED_FIELD.format(field="Resource")), FindingCode.ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE),
    (
        _template(errors.PROHIBITED_FIELD.format(field="NotResource")),
        FindingCode.ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE,
    ),
)
"""The parser's AWS texts and the code each stands for; `Syntax errors in policy.` and the vendor-prefix
text depend on where they occur (see `_parser_code`)."""

_SYNTAX_ERROR_CODES = frozenset(
    {
        FindingCode.DATA_TYPE_MISMATCH,
        FindingCode.UNKNOWN_ELEMENT,
        FindingCode.UNSUPPORTED_ELEMENT_COMBINATION,
        FindingCode.MISSING_STATEMENT,
        FindingCode.INVALID_PRINCIPAL_FORMAT,
        FindingCode.INVALID_PRINCIPAL_KEY,
        FindingCode.UNKNOWN_OPERATOR,
        FindingCode.NULL_WITH_IF_EXISTS,
    }
)
"""The codes of problems the parser reports as `Syntax errors in policy.`"""


class _NotJson(ValueError):
    """`NaN`, `Infinity` or `-Infinity`: Python reads them, JSON does not have them."""


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A document read as JSON: the data, the text the parser sees and where each path starts."""

    data: Any
    parser_input: str | Mapping[str, Any]
    positions: Mapping[str, Position]
    has_text: bool


def validate_policy(
    doc: str | Mapping[str, Any], *, kind: PolicyKind, account_id: str | None = None, name: str = "policy"
) -> tuple[Finding, ...]:
    """Check a policy document of `kind` the way the console's editors do; never raises.

    Errors are everything IAM rejects (the document is valid exactly when `parse_policy`
    accepts it, and then there is no ERROR). Warnings, security warnings and suggestions are
    checked only on a valid document. `account_id` is the account the policy lives in (other
    accounts are third parties; when None, every account is). `name` names the policy in
    messages (`<name>#<Sid or index>`). Findings come in document order: by line, then column.
    A mapping is checked as the JSON it serializes to (a tuple counts as an array) and its
    findings have no line or column.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-validation.html
    """
    loaded = _load(doc)
    if isinstance(loaded, Finding):
        return (loaded,)
    try:
        policy = parse_policy(loaded.parser_input, name=name, kind=kind)
    except PolicySyntaxError as error:
        findings = _error_findings(loaded, error, kind=kind)
    except RecursionError:
        findings = _error_findings(loaded, None, kind=kind)
    else:
        findings = policy_findings(policy, loaded.data, account_id=account_id)
    return _placed(findings, loaded)


def _load(doc: object) -> _Loaded | Finding:
    if isinstance(doc, str):
        return _load_text(doc)
    if not isinstance(doc, Mapping):
        return Finding.of(FindingCode.DATA_TYPE_MISMATCH, "a policy must be JSON text or a JSON object")
    try:
        text = json.dumps(doc, indent=2, allow_nan=False, default=_mapping_as_dict)
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return Finding.of(FindingCode.JSON_SYNTAX_ERROR, "the policy holds values that JSON cannot represent")
    return _Loaded(data=data, parser_input=data, positions=locate(text), has_text=False)


def _mapping_as_dict(value: object) -> dict[Any, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(type(value).__name__)


def _load_text(text: str) -> _Loaded | Finding:
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        finding = Finding.of(FindingCode.JSON_SYNTAX_ERROR, _json_error_message(error.msg))
        return dataclasses.replace(finding, line=error.lineno, column=error.colno)
    except _NotJson as error:
        message = f"`{error}` is not a JSON value; write numbers as digits and text in quotes"
        return _at_start(Finding.of(FindingCode.JSON_SYNTAX_ERROR, message), text)
    except ValueError:
        message = "the policy has a number with too many digits to read"
        return _at_start(Finding.of(FindingCode.JSON_SYNTAX_ERROR, message), text)
    except RecursionError:
        message = "the policy nests arrays or objects too deeply to read"
        return _at_start(Finding.of(FindingCode.JSON_SYNTAX_ERROR, message), text)
    return _Loaded(data=data, parser_input=text, positions=locate(text), has_text=True)


def _json_error_message(detail: str) -> str:
    if detail.startswith("Extra data"):
        return "the policy is not valid JSON: there is more text after the end of the policy"
    if detail.startswith("Unexpected UTF-8 BOM"):
        return "the policy is not valid JSON: it starts with a byte order mark; save it as UTF-8 without one"
    detail = detail.removesuffix(" at").removesuffix(" starting")  # the line and column are the finding's
    return f"the policy is not valid JSON: {detail[:1].lower()}{detail[1:]}"


def _reject_constant(value: str) -> Any:
    raise _NotJson(value)


def _at_start(finding: Finding, text: str) -> Finding:
    """A finding about the whole text, placed on its first non-blank character."""
    stripped = text.lstrip(" \t\r\n")
    line = text.count("\n", 0, len(text) - len(stripped)) + 1
    column = len(text) - len(stripped) - (text.rfind("\n", 0, len(text) - len(stripped)) + 1) + 1
    return dataclasses.replace(finding, line=line, column=column)


def _error_findings(loaded: _Loaded, error: PolicySyntaxError | None, *, kind: PolicyKind) -> tuple[Finding, ...]:
    """Every syntax problem, plus the parser's own error when no syntax finding is the same problem."""
    findings = list(syntax_findings(loaded.data, kind=kind))
    if error is not None:
        code = _parser_code(error, findings)
        if not any(finding.code is code and finding.path == error.path for finding in findings):
            findings.append(Finding.of(code, _parser_message(error, code, loaded, kind=kind), path=error.path))
    if not findings:
        message = "the policy nests arrays or objects more deeply than any policy element allows"
        findings.append(Finding.of(FindingCode.DATA_TYPE_MISMATCH, message))
    return tuple(findings)


def _parser_code(error: PolicySyntaxError, findings: list[Finding]) -> FindingCode:
    if error.code in (errors.LIMIT_EXCEEDED, errors.VALIDATION_ERROR):
        return FindingCode.POLICY_SIZE_EXCEEDS_QUOTA
    if error.message == errors.VENDOR_PREFIX:
        in_condition = "Condition" in (split_path(error.path) or ())
        return FindingCode.INVALID_CONDITION_KEY_FORMAT if in_condition else FindingCode.INVALID_ACTION
    for pattern, code in _MESSAGE_CODES:
        if pattern.fullmatch(error.message):
            return code
    if error.message == errors.SYNTAX_ERRORS:
        here = (f.code for f in findings if f.path == error.path and f.code in _SYNTAX_ERROR_CODES)
        return next(here, FindingCode.SYNTAX_ERROR)
    return FindingCode.SYNTAX_ERROR


def _parser_message(error: PolicySyntaxError, code: FindingCode, loaded: _Loaded, *, kind: PolicyKind) -> str:
    if code is not FindingCode.POLICY_SIZE_EXCEEDS_QUOTA or kind not in _SIZE_LIMITS:
        return f"the policy is rejected here with `{error.message}`"
    text = loaded.parser_input if isinstance(loaded.parser_input, str) else json.dumps(loaded.data, indent=2)
    if kind is PolicyKind.SESSION:
        limit = SESSION_POLICY_SIZE_LIMIT
        return f"the policy has `{len(text)}` characters; a session policy may have at most `{limit}`"
    return (
        f"the policy has `{counted_size(text)}` characters, not counting whitespace; {KIND_NAMES[kind]} may have"
        f" at most `{_SIZE_LIMITS[kind]}`"
    )


def _placed(findings: tuple[Finding, ...], loaded: _Loaded) -> tuple[Finding, ...]:
    """Add line and column (text only) and sort in document order; the same finding only once."""
    placed: dict[tuple[int, int, int, str, str, str], Finding] = {}
    for finding in findings:
        position = position_of(loaded.positions, finding.path) or Position(1, 1)
        if loaded.has_text:
            finding = dataclasses.replace(finding, line=position.line, column=position.column)
        key = (position.line, position.column, _SEVERITY_ORDER.index(finding.severity), finding.code, finding.path)
        placed.setdefault((*key, finding.message), finding)
    return tuple(placed[key] for key in sorted(placed))
