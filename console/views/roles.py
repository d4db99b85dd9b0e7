"""IAM > Roles: the role table, the create-role form and the role page."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from console import selectors, services
from console.forms import CreateRoleForm
from console.http import HtmxHttpRequest, caller_origin
from sandbox.errors import AwsError, MalformedPolicyDocument, NoSuchEntity
from sandbox.roles import trust_policy_pretty


@require_GET
@login_required
@vary_on_headers("HX-Request")
def role_list(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.learner_identity(user=request.user, **caller_origin(request))
    query = request.GET.get("q", "")[:64]
    roles = selectors.role_list(identity=identity, query=query)
    template = "console/roles/list.html"
    if request.htmx:
        template += "#role-table"
    return render(request, template, {"identity": identity, "roles": roles, "query": query})


@require_http_methods(["GET", "POST"])
@login_required
def create_role(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.learner_identity(user=request.user, **caller_origin(request))
    form = CreateRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_create(identity=identity, **form.cleaned_data)
        except AwsError as exc:
            form.add_error(_error_field(exc), _error_text(exc))
        else:
            url = reverse("console:role-detail", args=[role.name])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    template = "console/roles/create.html"
    if request.htmx:
        template += "#create-role-form"
    return render(request, template, {"identity": identity, "form": form})


def _error_field(exc: AwsError) -> str | None:
    if isinstance(exc, MalformedPolicyDocument):
        return "trust_policy"
    if "roleName" in exc.message or exc.code == "EntityAlreadyExists":
        return "role_name"
    if "description" in exc.message:
        return "description"
    return None


def _error_text(exc: AwsError) -> str:
    line = exc.extra.get("line")
    where = f" (line {line})" if line else ""
    return f"{exc.code}: {exc.message}{where}"


@require_GET
@login_required
def role_detail(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    identity = selectors.learner_identity(user=request.user, **caller_origin(request))
    try:
        role = selectors.role_get(identity=identity, role_name=role_name)
    except NoSuchEntity as exc:
        raise Http404(exc.message) from exc
    context = {"identity": identity, "role": role, "trust_policy": trust_policy_pretty(role.trust_policy)}
    return render(request, "console/roles/detail.html", context)
