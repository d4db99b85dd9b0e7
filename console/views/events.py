"""CloudTrail > Event history: the events of the account the console acts in, and one event's record."""
from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from console import selectors
from console.forms_activity import EventFilterForm
from console.http import HtmxHttpRequest
from console.selectors import events as event_selectors


@require_GET
@login_required
@vary_on_headers("HX-Request")
def event_list(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    form = EventFilterForm(request.GET)
    page = event_selectors.event_page(identity=identity, filters=form.filters(), page=request.GET.get("page", 1))
    template = "console/events/list.html"
    if request.htmx:
        template += "#event-table"
    return render(request, template, {"identity": identity, "form": form, "page": page})


@require_GET
@login_required
@vary_on_headers("HX-Request")
def event_detail(request: HtmxHttpRequest, event_id: uuid.UUID) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    try:
        event = event_selectors.event_get(identity=identity, event_id=event_id)
    except event_selectors.EventNotFound as missing:
        raise Http404(missing.message) from missing
    template = "console/events/detail.html"
    if request.htmx:
        template += "#event-detail"
    return render(request, template, {"identity": identity, "event": event})
