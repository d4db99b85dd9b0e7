"""Shared shapes for condition operator families."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from iam.matching import Template

Matcher = Callable[[str], bool]
"""Tests one request value against one (compiled) policy value."""

Compiler = Callable[[Template], Matcher]
"""Turns one policy value into a `Matcher`; raises `InvalidPolicyValue` if it cannot."""


class InvalidPolicyValue(Exception):
    """A policy value the operator cannot read, such as `abc` for `NumericLessThan`."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """How one operator compares values.

    `negated` operators (`StringNotEquals`, `NotIpAddress`...) are true when no policy value
    matches; `variables` says whether `${...}` policy variables are substituted.
    """

    compile: Compiler
    negated: bool = False
    variables: bool = False


Value = TypeVar("Value", bound=Any)


def ordered(parse: Callable[[str], Value | None], check: Callable[[Value, Value], bool]) -> Compiler:
    """A compiler for `parse(request value) <check> parse(policy value)`; unreadable request values never match."""

    def compile_value(policy: Template) -> Matcher:
        expected = parse(policy.text)
        if expected is None:
            raise InvalidPolicyValue(policy.text)

        def matches(value: str) -> bool:
            actual = parse(value)
            return actual is not None and check(actual, expected)

        return matches

    return compile_value
