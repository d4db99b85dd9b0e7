"""Console writes, made through `sandbox` as the signed-in identity."""
from __future__ import annotations

from console.services.roles import role_create

__all__ = ("role_create",)
