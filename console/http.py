"""Request typing shared by views."""
from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request through HtmxMiddleware to a `login_required` view: `user` is signed in."""

    htmx: HtmxDetails
    user: User
