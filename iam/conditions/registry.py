"""Which function implements each condition operator, and how operator names are read."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass

from iam.conditions import arn, binary, boolean, date, ip, numeric, string
from iam.conditions.base import OperatorSpec
from iam.model import ConditionOperator as Op
from iam.model import SetQualifier

_IF_EXISTS = "IfExists"

OPERATORS: Mapping[Op, OperatorSpec] = {
    Op.STRING_EQUALS: OperatorSpec(string.equals, variables=True),
    Op.STRING_NOT_EQUALS: OperatorSpec(string.equals, negated=True, variables=True),
    Op.STRING_EQUALS_IGNORE_CASE: OperatorSpec(string.equals_ignore_case, variables=True),
    Op.STRING_NOT_EQUALS_IGNORE_CASE: OperatorSpec(string.equals_ignore_case, negated=True, variables=True),
    Op.STRING_LIKE: OperatorSpec(string.like, variables=True),
    Op.STRING_NOT_LIKE: OperatorSpec(string.like, negated=True, variables=True),
    Op.NUMERIC_EQUALS: OperatorSpec(numeric.comparing(operator.eq)),
    Op.NUMERIC_NOT_EQUALS: OperatorSpec(numeric.comparing(operator.eq), negated=True),
    Op.NUMERIC_LESS_THAN: OperatorSpec(numeric.comparing(operator.lt)),
    Op.NUMERIC_LESS_THAN_EQUALS: OperatorSpec(numeric.comparing(operator.le)),
    Op.NUMERIC_GREATER_THAN: OperatorSpec(numeric.comparing(operator.gt)),
    Op.NUMERIC_GREATER_THAN_EQUALS: OperatorSpec(numeric.comparing(operator.ge)),
    Op.DATE_EQUALS: OperatorSpec(date.comparing(operator.eq)),
    Op.DATE_NOT_EQUALS: OperatorSpec(date.comparing(operator.eq), negated=True),
    Op.DATE_LESS_THAN: OperatorSpec(date.comparing(operator.lt)),
    Op.DATE_LESS_THAN_EQUALS: OperatorSpec(date.comparing(operator.le)),
    Op.DATE_GREATER_THAN: OperatorSpec(date.comparing(operator.gt)),
    Op.DATE_GREATER_THAN_EQUALS: OperatorSpec(date.comparing(operator.ge)),
    Op.BOOL: OperatorSpec(boolean.equals),
    Op.BINARY_EQUALS: OperatorSpec(binary.equals),
    Op.IP_ADDRESS: OperatorSpec(ip.within),
    Op.NOT_IP_ADDRESS: OperatorSpec(ip.within, negated=True),
    Op.ARN_EQUALS: OperatorSpec(arn.like, variables=True),
    Op.ARN_LIKE: OperatorSpec(arn.like, variables=True),
    Op.ARN_NOT_EQUALS: OperatorSpec(arn.like, negated=True, variables=True),
    Op.ARN_NOT_LIKE: OperatorSpec(arn.like, negated=True, variables=True),
}
"""Every operator except `Null`, which tests presence and is handled on its own."""


@dataclass(frozen=True, slots=True)
class OperatorName:
    """An operator name split into its parts, e.g. `ForAnyValue:StringLikeIfExists`."""

    operator: Op
    set_qualifier: SetQualifier | None = None
    if_exists: bool = False


def parse_operator_name(name: str) -> OperatorName | None:
    """Split `[ForAllValues:|ForAnyValue:]<Operator>[IfExists]`; None if unknown.

    Names are case-sensitive. `IfExists` is allowed on every operator except `Null`.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    qualifier = None
    for candidate in SetQualifier:
        if name.startswith(f"{candidate}:"):
            qualifier, name = candidate, name[len(candidate) + 1 :]
    if_exists = name.endswith(_IF_EXISTS)
    if if_exists:
        name = name[: -len(_IF_EXISTS)]
    try:
        parsed = Op(name)
    except ValueError:
        return None
    if parsed is Op.NULL and if_exists:
        return None
    return OperatorName(parsed, qualifier, if_exists)
