"""Numeric operators: NumericEquals, NumericLessThan and the rest."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from iam.conditions.base import Compiler, ordered


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def comparing(check: Callable[[Decimal, Decimal], bool]) -> Compiler:
    """A compiler for `request_value <check> policy_value`; unreadable request values never match.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
    """
    return ordered(_number, check)
