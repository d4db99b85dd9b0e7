"""The Bool operator: `true` or `false`, compared without regard to case."""

from __future__ import annotations

from iam.conditions.base import InvalidPolicyValue, Matcher
from iam.matching import Template


def equals(policy: Template) -> Matcher:
    """Match a request value equal to the policy's `true` or `false`.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
    """
    expected = policy.text.strip().lower()
    if expected not in ("true", "false"):
        raise InvalidPolicyValue(policy.text)
    return lambda value: value.strip().lower() == expected
