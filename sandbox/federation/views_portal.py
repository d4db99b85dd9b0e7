"""The corporate portal of the training IdP: the directory, each person's roles, and what the IdP hands out for them
(a console sign-in, a SAML assertion or an ID token to use with the AWS CLI)."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sandbox.errors import ApplicationError
from sandbox.federation import forms, issue, saml_idp, selectors, services
from sandbox.federation.issuers import PROFILES, Issuer
from sandbox.federation.oidc_idp import TokenRequest
from sandbox.models import DirectoryUser, Sandbox
from sandbox.provisioning import sandbox_provision


class PortalRequest(HttpRequest):
    user: User


def _sandbox(request: PortalRequest) -> Sandbox:
    return sandbox_provision(user=request.user)


def _page(request: PortalRequest, **forms_given: Any) -> HttpResponse:
    sandbox = _sandbox(request)
    provider = services.identity_provider_get_or_create(sandbox=sandbox)
    context = {
        "entries": selectors.portal_directory(sandbox=sandbox),
        "mappings": selectors.role_mapping_list(sandbox=sandbox),
        "provider": provider, "issuers": {issuer.value: PROFILES[issuer].url(provider.key) for issuer in PROFILES},
        "metadata_url": request.build_absolute_uri(reverse("federation:saml-metadata", args=[provider.key])),
        "token_issuers": forms.USER_TOKEN_ISSUERS,
        "user_form": forms.DirectoryUserForm(), "mapping_form": forms.RoleMappingForm(),
        "github_form": forms.GitHubTokenForm(), **forms_given,
    }
    return render(request, "federation/portal.html", context)


@require_GET
@login_required
def portal(request: PortalRequest) -> HttpResponse:
    return _page(request)


@require_POST
@login_required
def directory_user_add(request: PortalRequest) -> HttpResponse:
    form = forms.DirectoryUserForm(request.POST)
    if form.is_valid():
        try:
            services.directory_user_create(sandbox=_sandbox(request), **form.cleaned_data)
        except ApplicationError as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("federation:portal")
    return _page(request, user_form=form)


@require_POST
@login_required
def role_mapping_add(request: PortalRequest) -> HttpResponse:
    form = forms.RoleMappingForm(request.POST)
    if form.is_valid():
        try:
            services.role_mapping_create(sandbox=_sandbox(request), **form.cleaned_data)
        except ApplicationError as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("federation:portal")
    return _page(request, mapping_form=form)


def _directory_user(request: PortalRequest, name: str) -> DirectoryUser | None:
    user = selectors.directory_user_get(sandbox=_sandbox(request), name=name)
    if user is None:
        messages.error(request, f"no directory user `{name}`")
    return user


def _assertion(request: PortalRequest) -> issue.IssuedAssertion | None:
    """The signed response for the posted user and role (all their roles when no role is posted)."""
    form = forms.UserRoleForm(request.POST)
    user = _directory_user(request, request.POST.get("user", ""))
    if user is None:
        return None
    role_arn = form.cleaned_data["role"][0] if form.is_valid() else None
    try:
        return issue.saml_assertion_issue(user=user, role_arn=role_arn)
    except ApplicationError as refused:
        messages.error(request, refused.message)
        return None


@require_POST
@login_required
def portal_sign_in(request: PortalRequest) -> HttpResponse:
    """The IdP-initiated sign-in: the browser posts the signed response to AWS sign-in's SAML endpoint."""
    issued = _assertion(request)
    if issued is None:
        return redirect("federation:portal")
    context = {"saml_response": issued.encoded, "recipient": saml_idp.AWS_SIGNIN_SAML}
    return render(request, "federation/post_saml.html", context)


@require_POST
@login_required
def assertion_download(request: PortalRequest) -> HttpResponse:
    """The base64 SAML response, for `aws sts assume-role-with-saml --saml-assertion file://assertion.b64`."""
    issued = _assertion(request)
    if issued is None:
        return redirect("federation:portal")
    return _download(issued.encoded, "assertion.b64")


@require_POST
@login_required
def id_token_download(request: PortalRequest) -> HttpResponse:
    """An ID token for a directory user, for `aws sts assume-role-with-web-identity --web-identity-token file://...`."""
    form = forms.IdTokenForm(request.POST)
    user = _directory_user(request, request.POST.get("user", ""))
    if user is None or not form.is_valid():
        return redirect("federation:portal")
    token = issue.id_token_issue(sandbox=_sandbox(request), request=TokenRequest(
        issuer=Issuer(form.cleaned_data["issuer"]), user=user, audience=form.cleaned_data["audience"] or None,
        authenticated=form.cleaned_data["authenticated"],
    ))
    return _download(token, "token.jwt")


@require_POST
@login_required
def github_token_download(request: PortalRequest) -> HttpResponse:
    """A GitHub Actions ID token, as a workflow with `id-token: write` gets one."""
    form = forms.GitHubTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, github_form=form)
    token = issue.id_token_issue(
        sandbox=_sandbox(request), request=TokenRequest(issuer=Issuer.GITHUB, **form.token_fields())
    )
    return _download(token, "github-token.jwt")


def _download(text: str, filename: str) -> HttpResponse:
    return HttpResponse(text, content_type="text/plain; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
