"""Console writes, made through `sandbox` as the signed-in identity."""
from __future__ import annotations

from console.services.roles import role_sessions_revoke
from console.services.switch import role_switch

__all__ = ("role_sessions_revoke", "role_switch")
