"""Turn sandbox refusals into pages: a transient failure -> "try again", an IAM denial -> the denial, never a 500."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

import iam
from sandbox.errors import AccessDenied, SandboxUnavailable

SANDBOX_BUSY = "Your sandbox is busy or briefly unreachable. Nothing was lost: try again in a few seconds."


def denial_context(denied: AccessDenied) -> dict[str, Any]:
    """AWS's message and, when the engine decided, its explanation in the page's language."""
    evaluation = denied.extra.get("evaluation")
    if not isinstance(evaluation, iam.Evaluation):
        return {"code": denied.code, "message": denied.message, "why": []}
    why = list(iam.explain(evaluation, language="ko" if get_language() == "ko" else "en"))
    return {"code": denied.code, "message": denied.message, "why": why}


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
        context = {"status": 503, "title": "Try again", "detail": SANDBOX_BUSY}
        response = render(request, "error.html", context, status=503)
        response["Retry-After"] = "5"
        return response
