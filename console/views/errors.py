"""Error pages in the console's look and the page's language (never a bare server error page).

4xx pages are console pages (top bar, language select, navigation). The 500 and 503 pages are rendered without the
request's context processors and without any database query, since the database or the session may be what failed;
they are still translated, into the language the request had activated.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SANDBOX_BUSY = gettext_lazy(
    "Your sandbox is busy or briefly unreachable. Nothing was lost: try again in a few seconds."
)


def _error(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    return render(request, "error.html", {"status": status, "title": title, "detail": detail}, status=status)


def _static_error(status: int, title: str, detail: str) -> HttpResponse:
    """A page that needs no request context: no context processors, no session, no database."""
    page = loader.get_template("500.html").render({"status": status, "title": title, "detail": detail})
    return HttpResponse(page, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = _("The request could not be read (it may be too large). Go back and try again.")
    return _error(request, 400, _("Bad request"), detail)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Access denied"), _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Not found"), _("This page does not exist, or it belongs to someone else."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _static_error(500, _("Something went wrong"), _("The error was logged. Try again in a minute."))


def sandbox_unavailable(request: HttpRequest) -> HttpResponse:
    """The sandbox could not answer right now (a lock, a missing snapshot): try again, nothing was lost."""
    response = _static_error(503, _("Try again"), str(SANDBOX_BUSY))
    response["Retry-After"] = "5"
    return response
