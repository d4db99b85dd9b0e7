"""The lab editor's text: YAML or JSON to a lab.json body and back, with the line of a field for error messages.

The editor holds the part of `lab.json` that the authoring form does not (setup, variants, checks, solution...).
Only `yaml.safe_load` / `yaml.safe_dump` are used. YAML reads some unquoted values as types JSON lacks (dates,
`yes` keys); those are refused with the field and line, so what is saved is exactly what the author meant.
"""
from __future__ import annotations

import datetime
import json
import math
from typing import Any, Literal

import yaml
from django.utils.translation import gettext_lazy as _

from sandbox.errors import ApplicationError

EditorFormat = Literal["yaml", "json"]
FORMATS: tuple[EditorFormat, ...] = ("yaml", "json")

NOT_A_MAPPING = _("the editor must hold a mapping of lab.json fields (`checks:`, `solution:`...), not a list or text")
NOT_JSON_VALUE = _("field `%(field)s`: `%(value)s` is read as a %(kind)s, which lab.json cannot hold: put it in quotes")
KEY_NOT_TEXT = _("field `%(field)s`: the key `%(key)s` is not text: put it in quotes")
NOT_A_NUMBER = _("`%(value)s` is not a JSON number")
TOO_BIG = _("the text is nested too deeply or repeats too much (YAML aliases): write it out plainly")


class EditorError(ApplicationError):
    """The editor's text could not be read; `line` (1-based) is where, when known."""

    def __init__(self, message: str, *, line: int | None = None, field: str = "") -> None:
        super().__init__(message)
        self.line, self.field = line, field


def editor_parse(text: str, fmt: EditorFormat) -> dict[str, Any]:
    """The editor's text as a lab.json body; EditorError names the line (and field) at fault."""
    if not text.strip():
        return {}
    data = _load_json(text) if fmt == "json" else _load_yaml(text)
    if not isinstance(data, dict):
        raise EditorError(str(NOT_A_MAPPING), line=1)
    problem = _non_json(data)
    if problem is not None:
        path, message = problem
        raise EditorError(message, line=editor_line(text, path), field="/".join(str(part) for part in path))
    return data


def _load_json(text: str) -> Any:
    def refuse(value: str) -> Any:
        raise ValueError(str(NOT_A_NUMBER % {"value": value}))

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise EditorError(f"line {error.lineno}, column {error.colno}: {error.msg}", line=error.lineno) from error
    except RecursionError as error:
        raise EditorError(str(TOO_BIG)) from error
    except ValueError as error:
        raise EditorError(str(error)) from error


def _load_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        where = f"line {line}, column {mark.column + 1}: " if mark is not None else ""
        raise EditorError(f"{where}{error.problem or error.context}", line=line) from error
    except yaml.YAMLError as error:
        raise EditorError(str(error)) from error
    except RecursionError as error:
        raise EditorError(str(TOO_BIG)) from error


_KINDS: tuple[tuple[type, str], ...] = (
    (datetime.datetime, "date and time"), (datetime.date, "date"), (bytes, "binary value"), (set, "set"),
)
MAX_NODES = 50_000  # values in one lab body, counting every use of a YAML alias (a "billion laughs" stops here)
MAX_DEPTH = 40


def _non_json(data: dict[str, Any]) -> tuple[list[str | int], str] | None:
    """The first value YAML produced that JSON cannot hold, with its path (None when all is JSON).

    Walks without recursion and counts every value, so aliases that nest or refer to themselves cannot exhaust
    the server.
    """
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    seen = 0
    while stack:
        value, path = stack.pop()
        seen += 1
        if seen > MAX_NODES or len(path) > MAX_DEPTH:
            return path, str(TOO_BIG)
        field = "/".join(str(part) for part in path) or "(top level)"
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                if not isinstance(key, str):
                    return path, str(KEY_NOT_TEXT % {"field": field, "key": key})
                stack.append((item, [*path, key]))
        elif isinstance(value, list):
            stack.extend((item, [*path, index]) for index, item in reversed(list(enumerate(value))))
        elif isinstance(value, float) and not math.isfinite(value):
            return path, str(NOT_JSON_VALUE % {"field": field, "value": value, "kind": _("special number")})
        else:
            for kind, name in _KINDS:
                if isinstance(value, kind):
                    return path, str(NOT_JSON_VALUE % {"field": field, "value": value, "kind": name})
    return None


def editor_dump(body: dict[str, Any], fmt: EditorFormat) -> str:
    """A lab.json body as editor text (YAML keeps the key order and Korean text as written)."""
    if not body:
        return ""
    if fmt == "json":
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    return str(yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110))


def editor_convert(text: str, source: EditorFormat, target: EditorFormat) -> str:
    """The same content in the other format (EditorError when the text cannot be read; it is then kept as is)."""
    if source == target:
        return text
    return editor_dump(editor_parse(text, source), target)


def editor_line(text: str, path: list[str | int] | str) -> int | None:
    """The 1-based line of the value at `path` (`checks/0/points` or a list) in YAML or JSON text, when found.

    JSON is read with the YAML composer too (JSON is nearly a subset of YAML), which keeps every node's position.
    """
    parts = path.split("/") if isinstance(path, str) else [str(part) for part in path]
    parts = [part for part in parts if part and part != "(top level)"]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes only: nothing is constructed
    except (yaml.YAMLError, RecursionError):
        return None
    line = None
    for part in parts:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line if parts else (node.start_mark.line + 1 if node is not None else None)


def _child(node: yaml.Node | None, part: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value
    if isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
        item: yaml.Node = node.value[int(part)]
        return item
    return None
