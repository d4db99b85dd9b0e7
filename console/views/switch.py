"""Switch role (form and link), switch back, and switching to a recently used role."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from console import selectors, services
from console.forms import SwitchRoleForm
from console.http import HtmxHttpRequest
from console.switch_state import active_federated, forget_federated_sign_in, forget_switch, remember_switch
from sandbox.errors import AwsError
from sandbox.identity import Identity

# The switch-role link's query parameters, as AWS's https://signin.aws.amazon.com/switchrole takes them.
LINK_PARAMETERS = {"account": "account", "roleName": "role_name", "displayName": "display_name", "color": "color"}
EXTERNAL_ID_HINT = _lazy(
    "This role's trust policy requires an external ID (sts:ExternalId). The console cannot pass one: such roles "
    "can be assumed only with the AWS CLI, an SDK or the API (aws sts assume-role --external-id ...)."
)
HEX_COLORS = {"f2b0a9": "red", "fbc8aa": "orange", "efda95": "yellow", "b7ca9d": "green", "83d4e8": "blue"}


def _initial(request: HtmxHttpRequest) -> dict[str, str]:
    initial = {field: request.GET.get(name, "")[:600] for name, field in LINK_PARAMETERS.items() if name in request.GET}
    color = initial.get("color", "").lower().lstrip("#")
    if color:
        initial["color"] = HEX_COLORS.get(color, color if color in HEX_COLORS.values() else "")
    return initial


def _user(request: HtmxHttpRequest) -> Identity:
    """Whom the console switches with: the IAM user (never the switched-to role's credentials), or the role a SAML
    sign-in entered the console as, so switching from a federated session is role chaining as in AWS."""
    return selectors.base_identity(request, user=request.user)


@require_http_methods(["GET", "POST"])
@login_required
def switch_role(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    form = SwitchRoleForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            switched = services.role_switch(user_identity=_user(request), **form.cleaned_data)
        except AwsError as refused:
            form.add_error(None, refused.message)
            if refused.extra.get("hint") == "external_id":
                form.add_error(None, EXTERNAL_ID_HINT)
        else:
            remember_switch(request.session, switched, account=form.cleaned_data["account"],
                            role_name=form.cleaned_data["role_name"])
            messages.success(request, _("You are now using %(role)s.") % {"role": switched.display_name})
            return redirect("console:home")
    return render(request, "console/switch_role.html", {"identity": identity, "form": form})


@require_POST
@login_required
def switch_back(request: HtmxHttpRequest) -> HttpResponse:
    forget_switch(request.session)
    if active_federated(request.session) is None:
        messages.info(request, _("You are back to your IAM user."))
    else:
        messages.info(request, _("You are back to your federated role."))
    return redirect("console:home")


@require_POST
@login_required
def federated_sign_out(request: HtmxHttpRequest) -> HttpResponse:
    """Leave the console session a SAML sign-in started (and any role switched to from it)."""
    forget_federated_sign_in(request.session)
    messages.info(request, _("You left the federated session. You are back to your IAM user."))
    return redirect("console:home")


@require_POST
@login_required
def switch_recent(request: HtmxHttpRequest, index: int) -> HttpResponse:
    history = selectors.role_history(request)
    if index >= len(history):
        return redirect("console:switch-role")
    entry = history[index]
    try:
        switched = services.role_switch(
            user_identity=_user(request), account=entry["account"], role_name=entry["role_name"],
            display_name=entry["display_name"], color=entry["color"],
        )
    except AwsError as refused:
        messages.error(request, refused.message)
        return redirect("console:switch-role")
    remember_switch(request.session, switched, account=entry["account"], role_name=entry["role_name"])
    messages.success(request, _("You are now using %(role)s.") % {"role": switched.display_name})
    return redirect("console:home")
