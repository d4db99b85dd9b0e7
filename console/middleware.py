"""Console middleware: the signed-in user's language, pages the browser does not keep, and sandbox refusals turned
into pages (never a 500)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

import iam
from console.http import language_cookie_set
from console.selectors.preferences import user_language_get
from console.views.errors import sandbox_unavailable
from sandbox.errors import AccessDenied, SandboxUnavailable


def denial_context(denied: AccessDenied) -> dict[str, Any]:
    """AWS's message and, when the engine decided, its explanation in the page's language."""
    evaluation = denied.extra.get("evaluation")
    if not isinstance(evaluation, iam.Evaluation):
        return {"code": denied.code, "message": denied.message, "why": []}
    why = list(iam.explain(evaluation, language="ko" if get_language() == "ko" else "en"))
    return {"code": denied.code, "message": denied.message, "why": why}


class UserLanguageMiddleware:
    """The language a signed-in user chose wins over the browser's Accept-Language and cookie.

    Runs after AuthenticationMiddleware (and after LocaleMiddleware, whose choice it replaces). On the way out it
    keeps the language cookie in step with the user's choice, so signing in (on any browser) sets it too, and the
    sign-in page after signing out keeps the user's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user if request.user.is_authenticated else None
        language = user_language_get(user=signed_in) if signed_in else None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or settings.LANGUAGE_COOKIE_NAME in response.cookies:
            return response
        if user.pk != getattr(signed_in, "pk", None):  # this request signed the user in
            language = user_language_get(user=user)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            language_cookie_set(response, language)
        return response


class SandboxUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AccessDenied):
            # The identity the console acts as (a switched-to role, a revoked session) may not do what the page
            # needs: show IAM's answer, as the AWS console does, and the engine's reasons under "Why?".
            return render(request, "console/denied.html", denial_context(exception), status=403)
        if not isinstance(exception, SandboxUnavailable):
            return None
        return sandbox_unavailable(request)


class FreshPagesMiddleware:
    """A signed-in user's pages are never kept by the browser: htmx changes a page in place (a grading status, the
    teaching clock, a new role in a list), and Back must show the page as it is now, not the copy from before."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not response.has_header("Cache-Control")
                and response.get("Content-Type", "").startswith("text/html")):
            patch_cache_control(response, no_store=True, private=True)
        return response
