"""IAM policy simulator: a user or role of this account (or pasted policies), actions, resources, context keys."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from console import selectors
from console.forms_activity import CONTEXT_ROWS_DEFAULT, CONTEXT_ROWS_MAX, SimulatorForm
from console.http import HtmxHttpRequest
from console.middleware import denial_context
from console.services import simulator as simulator_services
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity

INITIAL_MAX = 20000  # prefill from a link is capped; the form's own limits apply when it is posted


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def policy_simulator(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    principals = simulator_services.simulator_principals(identity=identity)
    if request.method == "GET" or "add_context" in request.POST:
        source = request.GET if request.method == "GET" else request.POST
        initial = _initial(source, more_rows="add_context" in source)
        form = SimulatorForm(initial=initial, principals=principals.choices())
        context: dict[str, Any] = {"form": form}
    else:
        context = _simulate(identity, SimulatorForm(request.POST, principals=principals.choices()))
    template = "console/simulator/simulator.html"
    if request.htmx:
        template += "#simulator"
    return render(request, template, {"identity": identity, "principals": principals, **context})


def _initial(source: QueryDict, *, more_rows: bool) -> dict[str, Any]:
    """Prefill from a link (the event history's "simulate" link) or from the form itself (one more context row)."""
    initial: dict[str, Any] = {key: source.get(key, "")[:INITIAL_MAX] for key in source if key != "csrfmiddlewaretoken"}
    if more_rows:
        rows = str(initial.get("context_rows", ""))
        current = int(rows) if rows.isdigit() else CONTEXT_ROWS_DEFAULT
        initial["context_rows"] = min(current + 1, CONTEXT_ROWS_MAX)
    return initial


def _simulate(identity: Identity, form: SimulatorForm) -> dict[str, Any]:
    if not form.is_valid():
        return {"form": form}
    language: simulator_services.Language = "ko" if (get_language() or "").startswith("ko") else "en"
    try:
        simulation = simulator_services.simulation_run(identity=identity, spec=form.spec(), language=language)
    except AccessDenied as denied:
        form.add_error(None, denied.message)
        return {"form": form, "denial": denial_context(denied)}
    except AwsError as refused:
        form.add_error(None, f"{refused.code}: {refused.message}")
        return {"form": form}
    return {"form": form, "simulation": simulation}
