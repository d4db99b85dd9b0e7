"""Request typing and small HTTP helpers shared by views and middleware."""
from __future__ import annotations

from typing import TypedDict

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request through HtmxMiddleware to a `login_required` view: `user` is signed in."""

    htmx: HtmxDetails
    user: User


class Origin(TypedDict):
    source_ip: str
    secure_transport: bool


def caller_origin(request: HttpRequest) -> Origin:
    """Where the learner's browser calls from, as keyword arguments for `selectors.learner_identity`."""
    return {"source_ip": request.META.get("REMOTE_ADDR", ""), "secure_transport": request.is_secure()}


# Django's language cookie lasts for the browser session by default; the console remembers a choice for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Django's language cookie (read by LocaleMiddleware for signed-out pages), as `set_language` sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=settings.LANGUAGE_COOKIE_AGE or LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
