"""`{{ name }}` placeholders in lab definitions: per-learner variants and the learner's own ids.

Values are looked up by dotted name (`account.dev`, `user.arn`, `external_id`); an unknown name is an error that
names it, so a lab cannot silently grade against an empty string.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")


class UnknownVariable(KeyError):
    """A placeholder that names no variable."""


def render(value: Any, variables: Mapping[str, str]) -> Any:
    """`value` with every `{{ name }}` in its strings (and dict keys) replaced, recursively."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: _lookup(match.group(1), variables), value)
    if isinstance(value, list):
        return [render(item, variables) for item in value]
    if isinstance(value, dict):
        return {render(key, variables): render(item, variables) for key, item in value.items()}
    return value


def _lookup(name: str, variables: Mapping[str, str]) -> str:
    if name not in variables:
        raise UnknownVariable(f"unknown variable `{{{{ {name} }}}}`")
    return variables[name]


def placeholders(value: Any) -> set[str]:
    """Every variable name a value refers to (for the schema check at load time)."""
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, list):
        return set().union(*(placeholders(item) for item in value)) if value else set()
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            found |= placeholders(key) | placeholders(item)
        return found
    return set()
