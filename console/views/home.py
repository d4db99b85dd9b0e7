"""Console home: the learner's sandbox identity."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console import selectors
from console.http import HtmxHttpRequest


@require_GET
@login_required
def console_home(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    return render(request, "console/home.html", {"identity": identity})
