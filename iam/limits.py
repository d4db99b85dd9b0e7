"""Policy size quotas, counted the way AWS counts them."""

from __future__ import annotations

TRUST_POLICY_SIZE_LIMIT = 2048
"""Role trust policy length (default quota), characters excluding whitespace."""

MANAGED_POLICY_SIZE_LIMIT = 6144
"""Managed policy size, characters excluding whitespace; used for identity policies and boundaries."""

SESSION_POLICY_SIZE_LIMIT = 2048
"""Inline session policy passed to `sts:AssumeRole`, plain-text characters (whitespace counts)."""


def counted_size(text: str) -> int:
    """Characters excluding whitespace, as IAM counts policy size.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    """
    return sum(1 for char in text if not char.isspace())
