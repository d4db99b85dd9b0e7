"""The top bar's language select: remembered for the signed-in user, and in the browser's language cookie."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from console.forms import LanguageForm
from console.http import language_cookie_set
from console.services.preferences import user_language_set
from console.views.errors import bad_request


def _safe_next(request: HttpRequest, wanted: str) -> str:
    """`next`, else the page the select was on, else the root: only ever a URL of this site."""
    for url in (wanted, request.META.get("HTTP_REFERER", "")):
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
            return url
    return "/"


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return bad_request(request)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    language_cookie_set(response, language)
    return response
