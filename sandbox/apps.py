"""Django app configuration for the sandbox."""
from __future__ import annotations

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sandbox import signals  # noqa: F401 - connects the receivers
