"""JSON paths (`$.Statement[0].Principal`) and the source line and column each one starts on."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from json import JSONDecoder

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = JSONDecoder()
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


@dataclass(frozen=True, slots=True)
class Position:
    """Where a JSON value starts: 1-based line and column (a column counts characters)."""

    line: int
    column: int


def child_path(path: str, key: str | int) -> str:
    """The path of member `key` (or item `key`) below `path`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"


def parent_path(path: str) -> str | None:
    """The path one level up, or None for the root `$`."""
    if path == "$":
        return None
    match = re.search(r"(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\['(?:[^'\\]|\\.)*'\])\Z", path)
    return path[: match.start()] if match else None


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of `path`, or of its nearest ancestor that exists in the document."""
    current: str | None = path
    while current is not None:
        if current in lines:
            return lines[current]
        current = parent_path(current)
    return None


def split_path(path: str) -> tuple[str | int, ...] | None:
    """The keys and indexes of a path made by `child_path`, or None if `path` is not one."""
    if not path.startswith("$"):
        return None
    segments: list[str | int] = []
    position = 1
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None:
            return None
        name, index, quoted = match.groups()
        if index is not None:
            segments.append(int(index))
        else:
            segments.append(name if name is not None else re.sub(r"\\(.)", r"\1", quoted))
        position = match.end()
    return tuple(segments)


def position_of(positions: Mapping[str, Position], path: str) -> Position | None:
    """The position of `path`, or of its nearest ancestor that exists in the document."""
    current: str | None = path
    while current is not None:
        if current in positions:
            return positions[current]
        current = parent_path(current)
    return None


def locate(text: str) -> dict[str, Position]:
    """Map each JSON path in valid JSON `text` to the line and column where it starts.

    An object member starts at its key; an array item at its first character. Values nested
    too deeply to walk (hundreds of levels) are left out: `position_of` falls back to an ancestor.
    """
    return _Locator(text).run()


def locate_lines(text: str) -> dict[str, int]:
    """Map each JSON path in valid JSON `text` to the 1-based line where it starts."""
    return {path: position.line for path, position in locate(text).items()}


class _Locator:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [i for i, char in enumerate(text) if char == "\n"]
        self.positions: dict[str, Position] = {}

    def run(self) -> dict[str, Position]:
        try:
            self._value(self._skip(0), "$")
        except RecursionError:
            pass  # INVARIANT: every path recorded so far is right; deeper ones fall back to an ancestor
        return self.positions

    def _position(self, pos: int) -> Position:
        line = bisect.bisect_right(self.newlines, pos - 1) + 1
        line_start = self.newlines[line - 2] + 1 if line > 1 else 0
        return Position(line, pos - line_start + 1)

    def _skip(self, pos: int) -> int:
        match = _WHITESPACE.match(self.text, pos)
        return match.end() if match else pos

    def _value(self, pos: int, path: str) -> int:
        self.positions.setdefault(path, self._position(pos))
        char = self.text[pos]
        if char == "{":
            return self._object(pos + 1, path)
        if char == "[":
            return self._array(pos + 1, path)
        if char == '"':
            return self._string(pos)[1]
        match = _SCALAR.match(self.text, pos)
        return match.end() if match else pos + 1

    def _string(self, pos: int) -> tuple[str, int]:
        text, end = _DECODER.raw_decode(self.text, pos)
        return str(text), end

    def _object(self, pos: int, path: str) -> int:
        pos = self._skip(pos)
        while self.text[pos] != "}":
            key, end = self._string(pos)
            member = child_path(path, key)
            self.positions[member] = self._position(pos)
            pos = self._skip(self._skip(end) + 1)
            pos = self._skip(self._value(pos, member))
            if self.text[pos] == ",":
                pos = self._skip(pos + 1)
        return pos + 1

    def _array(self, pos: int, path: str) -> int:
        pos = self._skip(pos)
        index = 0
        while self.text[pos] != "]":
            pos = self._skip(self._value(pos, child_path(path, index)))
            index += 1
            if self.text[pos] == ",":
                pos = self._skip(pos + 1)
        return pos + 1
