"""STS's server-side parameter checks: the model's constraints, reported in AWS's own words.

AWS reports every violated constraint at once: `2 validation errors detected: Value 'x' at 'roleSessionName'
failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; Value ...`.
(boto3 checks only minimum lengths and values before sending; maxima and patterns are the service's job.)
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session

from sandbox.errors import AwsError, ValidationError

_SESSION = botocore.session.get_session()
_MODELS = {name: _SESSION.get_service_model(name) for name in ("sts", "iam")}

# Where the issue and AWS's API reference agree on a tighter limit than this botocore model (SourceIdentity: 2-64 in
# the API reference and aws-iam-sts.md section 1.1; the model now says 256), the documented limit is used.
_MAX_OVERRIDES = {("AssumeRole", "SourceIdentity"): 64}


class InvalidParameterValue(AwsError):
    code = "InvalidParameterValue"
    status = 400


@dataclass(frozen=True, slots=True)
class Violation:
    value: Any
    path: str
    constraint: str

    def text(self) -> str:
        return f"Value '{_render(self.value)}' at '{self.path}' failed to satisfy constraint: {self.constraint}"


def _render(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_render(item)}" for key, item in value.items()) + "}"
    return str(value)


def validate(operation: str, params: Mapping[str, Any], *, service: str = "sts") -> None:
    """Raise ValidationError listing every model constraint `params` break, as AWS does."""
    shape = _MODELS[service].operation_model(operation).input_shape
    if shape is None:
        return  # an operation without parameters
    violations: list[Violation] = []
    for name, member in shape.members.items():
        if name not in params:
            if name in shape.required_members:
                violations.append(Violation("null", _wire(name), "Member must not be null"))
            continue
        violations.extend(_check(member, params[name], _wire(name), (operation, name)))
    if violations:
        count = len(violations)
        noun = "error" if count == 1 else "errors"
        texts = "; ".join(violation.text() for violation in violations)
        raise ValidationError(f"{count} validation {noun} detected: {texts}")


def _wire(name: str) -> str:
    return name[:1].lower() + name[1:]


def _check(shape: Any, value: Any, path: str, where: tuple[str, str]) -> list[Violation]:
    metadata = shape.metadata
    found: list[Violation] = []
    if shape.type_name == "list":
        found.extend(_size(value, path, metadata, "length"))
        for index, item in enumerate(value if isinstance(value, list) else [], start=1):
            found.extend(_check(shape.member, item, f"{path}.{index}.member", where))
        return found
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            item = value.get(name) if isinstance(value, dict) else None
            if item is None:
                if name in shape.required_members:
                    found.append(Violation("null", f"{path}.{_wire(name)}", "Member must not be null"))
                continue
            found.extend(_check(member, item, f"{path}.{_wire(name)}", where))
        return found
    if shape.type_name in ("integer", "long"):
        if not isinstance(value, int):
            return [Violation(value, path, "Member must be a number")]
        return _size(value, path, metadata, "value")
    text = str(value)
    limits = dict(metadata)
    if where in _MAX_OVERRIDES and path == _wire(where[1]):
        limits["max"] = _MAX_OVERRIDES[where]
    pattern = metadata.get("pattern")
    if pattern and not _matches(pattern, text):
        found.append(Violation(text, path, f"Member must satisfy regular expression pattern: {pattern}"))
    found.extend(_size(text, path, limits, "length"))
    return found


def _size(value: Any, path: str, metadata: Mapping[str, Any], what: str) -> list[Violation]:
    size = len(value) if what == "length" and not isinstance(value, int) else value
    found = []
    if "max" in metadata and size > metadata["max"]:
        found.append(Violation(value, path, f"Member must have {what} less than or equal to {metadata['max']}"))
    if "min" in metadata and size < metadata["min"]:
        found.append(Violation(value, path, f"Member must have {what} greater than or equal to {metadata['min']}"))
    return found


def _tag_character(char: str) -> bool:
    """`[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`: letters, separators (spaces), numbers and `_.:/=+-@`."""
    return unicodedata.category(char)[0] in "LZN" or char in "_.:/=+-@"


def _printable_character(char: str) -> bool:
    """The model's `[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]`."""
    point = ord(char)
    return (
        point in (0x09, 0x0A, 0x0D, 0x85) or 0x20 <= point <= 0x7E or 0xA0 <= point <= 0xD7FF
        or 0xE000 <= point <= 0xFFFD or point >= 0x10000
    )


_CHARACTER_CLASSES: dict[str, Callable[[str], bool]] = {
    "\\p{L}\\p{Z}\\p{N}": _tag_character,
    "\\u10000-\\u10FFFF": _printable_character,
}


def _matches(pattern: str, text: str) -> bool:
    """Java-style `[...]*` / `[...]+` model patterns (Java's `\\w` is ASCII)."""
    for marker, allowed in _CHARACTER_CLASSES.items():
        if marker in pattern:
            return all(allowed(char) for char in text) and (bool(text) or pattern.endswith("*"))
    return _compiled(pattern).fullmatch(text) is not None


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _PATTERNS:
        _PATTERNS[pattern] = re.compile(pattern, re.ASCII)
    return _PATTERNS[pattern]
