"""Shared shapes for condition operator families."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
