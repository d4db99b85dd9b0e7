"""Request typing shared by views."""
from __future__ import annotations

from typing import TypedDict

from django.contrib.auth.models import User
from django.http import HttpRequest
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
