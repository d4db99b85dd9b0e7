"""Console settings kept per user (not per browser): the console language."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class UserPreference(models.Model):
    """A signed-in user's console preferences; the language wins over the browser's headers and cookie."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_preference")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"console preferences of {self.user}"
