"""IAM > Roles > Create role."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from console import selectors, services
from console.forms import CreateRoleForm
from console.http import HtmxHttpRequest
from sandbox.errors import AwsError, MalformedPolicyDocument


@require_http_methods(["GET", "POST"])
@login_required
def create_role(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
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


