"""Writes of the signed-in user's console preferences."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from console.models import UserPreference
from sandbox.errors import ApplicationError

LANGUAGE_UNKNOWN = "the console has no language `{language}`"


class UnknownLanguage(ApplicationError):
    pass


def user_language_set(*, user: AbstractBaseUser, language: str) -> UserPreference:
    """Remember `language` for the user, in every browser they sign in with."""
    if language not in dict(settings.LANGUAGES):
        raise UnknownLanguage(LANGUAGE_UNKNOWN.format(language=language))
    preference, _created = UserPreference.objects.update_or_create(user_id=user.pk, defaults={"language": language})
    return preference
