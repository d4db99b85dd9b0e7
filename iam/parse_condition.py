"""The Condition element: operator -> key -> value(s)."""

from __future__ import annotations

from typing import Any

from iam import errors
from iam.conditions.registry import parse_operator_name
from iam.errors import PolicySyntaxError
from iam.jsonpos import child_path
from iam.model import ConditionClause


def parse_conditions(raw: Any, *, path: str) -> tuple[ConditionClause, ...]:
    """Parse a Condition block; unknown operators are syntax errors.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    """
    if not isinstance(raw, dict):
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=path)
    clauses: list[ConditionClause] = []
    for name, block in raw.items():
        operator_path = child_path(path, name)
        parsed = parse_operator_name(name)
        if parsed is None or not isinstance(block, dict):
            raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=operator_path)
        for key, values in block.items():
            key_path = child_path(operator_path, key)
            vendor, colon, _ = key.partition(":")
            if not vendor or not colon:
                raise PolicySyntaxError(errors.VENDOR_PREFIX, path=key_path)
            clauses.append(
                ConditionClause(
                    operator=parsed.operator,
                    key=key,
                    values=_values(values, path=key_path),
                    set_qualifier=parsed.set_qualifier,
                    if_exists=parsed.if_exists,
                    path=key_path,
                )
            )
    return tuple(clauses)


def _values(raw: Any, *, path: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    texts: list[str] = []
    for index, item in enumerate(items):
        if isinstance(item, bool):
            texts.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            texts.append(str(item))
        else:
            item_path = child_path(path, index) if isinstance(raw, list) else path
            raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=item_path)
    return tuple(texts)
