"""Error pages in the console's look (never a bare server error page)."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _error(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    return render(request, "error.html", {"status": status, "title": title, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = "The request could not be read (it may be too large). Go back and try again."
    return _error(request, 400, "Bad request", detail)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "Access denied", "You do not have access to this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "Not found", "This page does not exist, or it belongs to someone else.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "Something went wrong", "The error was logged. Try again in a minute.")
