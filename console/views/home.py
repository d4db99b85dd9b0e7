"""Console home: the learner's sandbox identity."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console import selectors


@require_GET
@login_required
def console_home(request: HttpRequest) -> HttpResponse:
    identity = selectors.learner_identity(user=request.user)
    return render(request, "console/home.html", {"identity": identity})
