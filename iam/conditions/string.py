"""String operators: StringEquals, StringEqualsIgnoreCase, StringLike and their negations."""

from __future__ import annotations

from iam.conditions.base import Matcher
from iam.matching import Template


def equals(policy: Template) -> Matcher:
    """Exact, case-sensitive comparison; `*` and `?` are ordinary characters.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
    """
    expected = policy.text
    return lambda value: value == expected


def equals_ignore_case(policy: Template) -> Matcher:
    """Comparison ignoring case.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
    """
    expected = policy.text.casefold()
    return lambda value: value.casefold() == expected


def like(policy: Template) -> Matcher:
    """Case-sensitive match with `*` (any run of characters) and `?` (one character).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
    """
    return policy.matches
