"""IAM > Roles: the role table, the create-role form and the role page."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from console import selectors, services
from console.forms import CreateRoleForm, RevokeSessionsForm
from console.http import HtmxHttpRequest
from sandbox.errors import AwsError, MalformedPolicyDocument, NoSuchEntity
from sandbox.identity import Identity
from sandbox.roles import RoleInfo, trust_policy_pretty


@require_GET
@login_required
@vary_on_headers("HX-Request")
def role_list(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    query = request.GET.get("q", "")[:64]
    roles = selectors.role_list(identity=identity, query=query)
    template = "console/roles/list.html"
    if request.htmx:
        template += "#role-table"
    return render(request, template, {"identity": identity, "roles": roles, "query": query})


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


@require_GET
@login_required
def role_detail(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    try:
        role = selectors.role_get(identity=identity, role_name=role_name)
    except NoSuchEntity as exc:
        raise Http404(exc.message) from exc
    return render(request, "console/roles/detail.html", _detail_context(request, identity, role))


def _detail_context(
    request: HtmxHttpRequest, identity: Identity, role: RoleInfo, form: RevokeSessionsForm | None = None
) -> dict[str, Any]:
    link = request.build_absolute_uri(reverse("console:switch-role")) + "?" + urlencode(
        {"roleName": f"{role.path.strip('/')}/{role.name}".lstrip("/"), "account": identity.account_id}
    )
    return {
        "identity": identity, "role": role, "trust_policy": trust_policy_pretty(role.trust_policy),
        "switch_link": link, "revoke_form": form or RevokeSessionsForm(),
    }


@require_POST
@login_required
def revoke_sessions(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    """"Revoke active sessions": after confirmation, every session of the role issued before now is denied."""
    identity = selectors.console_identity(request, user=request.user)
    form = RevokeSessionsForm(request.POST)
    try:
        role = selectors.role_get(identity=identity, role_name=role_name)
    except NoSuchEntity as exc:
        raise Http404(exc.message) from exc
    if form.is_valid():
        try:
            services.role_sessions_revoke(identity=identity, role_name=role_name)
        except AwsError as refused:
            form.add_error(None, f"{refused.code}: {refused.message}")
        else:
            messages.success(request, _("Active sessions for %(role)s were revoked.") % {"role": role_name})
            return redirect("console:role-detail", role_name=role_name)
    return render(request, "console/roles/detail.html", _detail_context(request, identity, role, form), status=400)
