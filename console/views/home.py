"""Console home: the learner's sandbox identity."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console import selectors
from console.http import HtmxHttpRequest, caller_origin


@require_GET
@login_required
def console_home(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.learner_identity(user=request.user, **caller_origin(request))
    return render(request, "console/home.html", {"identity": identity})
