"""Condition operators, one module per family; `evaluate_condition` applies one clause."""

from __future__ import annotations

from iam.conditions.evaluate import evaluate_condition
from iam.conditions.registry import OPERATORS, parse_operator_name

__all__ = ["OPERATORS", "evaluate_condition", "parse_operator_name"]
