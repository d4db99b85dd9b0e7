"""Console reads: what the screens show, fetched through `sandbox` as the signed-in identity."""
from __future__ import annotations

from console.selectors.access import learner_identity
from console.selectors.roles import role_get, role_list

__all__ = ("learner_identity", "role_get", "role_list")
