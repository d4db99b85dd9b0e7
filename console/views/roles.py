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
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from console import selectors, services
from console.forms import RevokeSessionsForm
from console.http import HtmxHttpRequest
from sandbox.errors import AwsError, NoSuchEntity
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
    link = request.build_absolute_uri(reverse("switchrole-link")) + "?" + urlencode(
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
