"""ARN operators: ArnEquals and ArnLike (the same test) and their negations."""

from __future__ import annotations

from iam.conditions.base import InvalidPolicyValue, Matcher
from iam.matching import Template, arn_matches, arn_segments


def like(policy: Template) -> Matcher:
    """Match a request ARN segment by segment; a request value that is no ARN never matches.

    Each of the six colon-separated parts is matched on its own, with `*` and `?` wildcards.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    """
    if len(policy.split(":", 5)) != 6:
        raise InvalidPolicyValue(policy.text)
    return lambda value: arn_segments(value) is not None and arn_matches(policy, value)
