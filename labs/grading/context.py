"""GradeContext: the snapshot of a learner's sandbox that checks read (plain data, no I/O)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RoleView:
    name: str
    arn: str
    trust_policy: str


@dataclass(frozen=True, slots=True)
class GradeContext:
    """What grading sees of one learner: their home account id and its roles, by exact name."""

    account_id: str
    roles: Mapping[str, RoleView]
