"""Console reads: what the screens show, fetched through `sandbox` as the signed-in identity."""
from __future__ import annotations

from console.selectors.access import base_identity, console_identity, learner_identity, role_history, switched_view
from console.selectors.roles import role_get, role_list

__all__ = (
    "base_identity", "console_identity", "learner_identity", "role_get", "role_history", "role_list", "switched_view",
)
