"""The BinaryEquals operator: base64 values compared byte for byte."""

from __future__ import annotations

import base64
import binascii

from iam.conditions.base import InvalidPolicyValue, Matcher
from iam.matching import Template


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def equals(policy: Template) -> Matcher:
    """Match a request value whose decoded bytes equal the policy's.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
    """
    expected = _decode(policy.text)
    if expected is None:
        raise InvalidPolicyValue(policy.text)
    return lambda value: _decode(value) == expected
