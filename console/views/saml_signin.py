"""AWS sign-in's SAML endpoint, as the training site plays it: the corporate portal posts a signed response here,
the learner picks a role when it offers several, and the console then acts as the federated role session.

# INVARIANT: only the signed-in learner's own sandbox can be entered (the service checks the role's account).
Served at /federation/signin/saml (config/urls.py), next to the training IdP's own pages.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.http import HtmxHttpRequest
from console.switch_state import remember_federated_sign_in
from sandbox.authorize import CallOrigin
from sandbox.errors import AccessDenied, AwsError
from sandbox.federation.forms import SamlSignInForm
from sandbox.provisioning import sandbox_provision
from sandbox.sts.console_saml import INVALID_RESPONSE, saml_console_sign_in, saml_sign_in_choose


@require_POST
@login_required
def saml_sign_in(request: HtmxHttpRequest) -> HttpResponse:
    form = SamlSignInForm(request.POST)
    if not form.is_valid():
        return render(request, "federation/signin_error.html", {"message": INVALID_RESPONSE})
    response = form.cleaned_data["SAMLResponse"]
    try:
        choice = saml_sign_in_choose(saml_response=response, role_index=form.cleaned_data["roleIndex"])
        if choice.chosen is None:
            return render(request, "federation/signin_roles.html", {"choice": choice, "saml_response": response})
        switched = saml_console_sign_in(
            sandbox=sandbox_provision(user=request.user), saml_response=response, role=choice.chosen,
            origin=CallOrigin(request.META.get("REMOTE_ADDR", ""), request.is_secure()),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except AwsError as refused:
        message = refused.message if isinstance(refused, AccessDenied) else INVALID_RESPONSE
        return render(request, "federation/signin_error.html", {"message": message, "cause": refused.message})
    remember_federated_sign_in(request.session, switched)
    messages.success(request, _("You are signed in as %(role)s.") % {"role": switched.display_name})
    return redirect("console:home")
