"""Every request reads each account row once (see `sandbox.request_memo`): a console page that reads a role, its
policies and its last use asks the database for the account's stored version once, not once per read."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sandbox.request_memo import request_scope


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)
