"""Policy size quotas, counted the way AWS counts them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from iam import errors
from iam.errors import PolicySyntaxError

InlineOwner = Literal["user", "role", "group"]
"""The IAM identities that hold inline policies."""

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


USER_INLINE_POLICIES_SIZE_LIMIT = 2048
"""All inline policies of one user together, characters excluding whitespace."""

ROLE_INLINE_POLICIES_SIZE_LIMIT = 10240
"""All inline policies of one role together (trust policy not included), characters excluding whitespace."""

GROUP_INLINE_POLICIES_SIZE_LIMIT = 5120
"""All inline policies of one group together, characters excluding whitespace."""

INLINE_POLICIES_SIZE_LIMITS: Mapping[InlineOwner, int] = {
    "user": USER_INLINE_POLICIES_SIZE_LIMIT,
    "role": ROLE_INLINE_POLICIES_SIZE_LIMIT,
    "group": GROUP_INLINE_POLICIES_SIZE_LIMIT,
}


def check_inline_aggregate(kind: InlineOwner, documents: Iterable[str | Mapping[str, Any]], *, name: str) -> int:
    """Check the inline policies of one user, role or group against AWS's aggregate quota.

    Returns the counted size (all documents, whitespace not counted). Raises
    `PolicySyntaxError` with code `LimitExceeded` and IAM's text, e.g.
    `Maximum policy size of 10240 bytes exceeded for role Deployer`.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    """
    size = sum(counted_size(text if isinstance(text, str) else json.dumps(text)) for text in documents)
    limit = INLINE_POLICIES_SIZE_LIMITS[kind]
    if size > limit:
        message = errors.INLINE_POLICIES_TOO_LARGE.format(limit=limit, owner=kind, name=name)
        raise PolicySyntaxError(message, code=errors.LIMIT_EXCEEDED)
    return size
