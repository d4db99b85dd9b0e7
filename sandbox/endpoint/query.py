"""The AWS Query protocol (IAM, STS): flat form parameters -> the operation's input, shaped by botocore's model."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape


def query_input(shape: StructureShape | None, params: Mapping[str, str]) -> dict[str, Any]:
    """Rebuild `{"RoleName": ..., "Tags": [{"Key": ..., "Value": ...}]}` from `Tags.member.1.Key=...` pairs.

    Parameters the model does not know are ignored (AWS ignores unknown Query parameters too, apart from Action and
    Version, which the caller reads itself).
    """
    if shape is None:
        return {}
    value = _structure(shape, params, "")
    return value if isinstance(value, dict) else {}


def _value(shape: Shape, params: Mapping[str, str], key: str) -> Any:
    if isinstance(shape, StructureShape):
        return _structure(shape, params, key + ".")
    if isinstance(shape, ListShape):
        return _list(shape, params, key)
    if isinstance(shape, MapShape):
        return _map(shape, params, key)
    raw = params.get(key)
    if raw is None:
        return None
    return _scalar(shape, raw)


def _structure(shape: StructureShape, params: Mapping[str, str], prefix: str) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for name, member in shape.members.items():
        wire = member.serialization.get("name", name)
        value = _value(member, params, prefix + wire)
        if value is not None:
            result[name] = value
    return result or None


def _indices(params: Mapping[str, str], prefix: str) -> list[int]:
    found = set()
    for key in params:
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


def _list(shape: ListShape, params: Mapping[str, str], key: str) -> list[Any] | None:
    flattened = shape.serialization.get("flattened", False)
    member_name = shape.member.serialization.get("name", "member")
    prefix = f"{key}." if flattened else f"{key}.{member_name}."
    items = [_value(shape.member, params, f"{prefix}{index}") for index in _indices(params, prefix)]
    if not items and params.get(key) == "":
        return []  # `Name=` with no members: an explicitly empty list
    return [item for item in items if item is not None] or None


def _map(shape: MapShape, params: Mapping[str, str], key: str) -> dict[str, Any] | None:
    prefix = f"{key}.entry."
    result = {}
    for index in _indices(params, prefix):
        map_key = params.get(f"{prefix}{index}.key")
        if map_key is not None:
            result[map_key] = _value(shape.value, params, f"{prefix}{index}.value")
    return result or None


def _scalar(shape: Shape, raw: str) -> Any:
    if shape.type_name in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            return raw  # left for AWS-style validation to refuse
    if shape.type_name == "boolean":
        return raw.lower() == "true"
    if shape.type_name in ("float", "double"):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw
