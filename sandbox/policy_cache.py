"""Stored policy documents parsed once per process.

Every API call evaluates the caller's policies (AdministratorAccess, a role's inline policy, a trust policy): the
same few texts, parsed again on every call before this cache. Documents in the sandbox were validated, size quotas
included, when they were written, so they are parsed without the quotas. A parsed `iam.Policy` is immutable; a
document that fails to parse raises each time (exceptions are not cached).
"""
from __future__ import annotations

from functools import lru_cache

import iam


@lru_cache(maxsize=1024)
def stored_policy(document: str, *, name: str, kind: iam.PolicyKind) -> iam.Policy:
    """`document` as the engine sees it (raises `iam.PolicySyntaxError` for one that no longer parses)."""
    return iam.parse_policy(document, name=name, kind=kind, check_size=False)
