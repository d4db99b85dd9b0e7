"""IAM > Trust graph: who can assume which role, across the learner's accounts (an SVG and the same as a table)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from console import selectors
from console.http import HtmxHttpRequest
from console.selectors.trust_graph import trust_graph_get


@require_GET
@login_required
@vary_on_headers("HX-Request")
def trust_graph(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    view = trust_graph_get(user=request.user, current_account_id=identity.account_id)
    template = "console/trust_graph.html" + ("#trust-graph" if request.htmx else "")
    return render(request, template, {"identity": identity, "view": view, "picture": view.picture})
