"""The signed-in user's console preferences."""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from console.models import UserPreference


def user_language_get(*, user: AbstractBaseUser) -> str | None:
    """The language the user chose in the console, or None if they never chose one (the browser decides)."""
    language: str | None = (
        UserPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    )
    return language
