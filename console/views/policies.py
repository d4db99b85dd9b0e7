"""IAM > Policies: the policy table, the policy page and its versions, create, edit and delete."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from console import selectors
from console.forms_policies_users import (
    POLICY_ARN_PATTERN,
    SCOPE_CHOICES,
    VERSION_ID_PATTERN,
    ConfirmNameForm,
    PolicyCreateForm,
    PolicyDocumentForm,
    PolicyEditForm,
    PolicyFilterForm,
    PolicyVersionForm,
)
from console.http import HtmxHttpRequest
from console.middleware import denial_context
from console.selectors import policies as policy_selectors
from console.services import policies as policy_services
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity

CREATE_ERROR_FIELDS = {"EntityAlreadyExists": "policy_name", "MalformedPolicyDocument": "document",
                       "LimitExceeded": "document"}
EDIT_ERROR_FIELDS = {"MalformedPolicyDocument": "document"}
NOT_FOUND_CODES = frozenset({"NoSuchEntity", "ValidationError", "InvalidInput"})


def aws_error_text(error: AwsError) -> str:
    """IAM's answer as the console shows it: `Code: message`."""
    return f"{error.code}: {error.message}"


def aws_error_why(error: AwsError) -> list[str]:
    """The engine's explanation of a denial, for the form's "Why?" list (empty for other errors)."""
    return list(denial_context(error)["why"]) if isinstance(error, AccessDenied) else []


def add_aws_error(form: forms.Form, error: AwsError, fields: Mapping[str, str] | None = None) -> list[str]:
    """Put IAM's refusal on the form field it is about (or the whole form); the denial's reasons, if any."""
    form.add_error((fields or {}).get(error.code), aws_error_text(error))
    return aws_error_why(error)


def posted(request: HtmxHttpRequest) -> QueryDict | None:
    """The form data of a POST (even an empty one), None for a GET: binds a form only when it was sent."""
    return request.POST if request.method == "POST" else None


def _identity(request: HtmxHttpRequest) -> Identity:
    return selectors.console_identity(request, user=request.user)


def _checked_arn(policy_arn: str) -> str:
    if not POLICY_ARN_PATTERN.fullmatch(policy_arn):
        raise Http404(_("This policy does not exist."))
    return policy_arn


def _detail(identity: Identity, policy_arn: str, **options: Any) -> policy_selectors.PolicyDetail:
    """The policy, or 404 when IAM says there is no such policy (AccessDenied goes to the denial page)."""
    try:
        return policy_selectors.policy_detail(identity=identity, policy_arn=_checked_arn(policy_arn), **options)
    except AccessDenied:
        raise
    except AwsError as error:
        if error.code in NOT_FOUND_CODES:
            raise Http404(error.message) from error
        raise


def _detail_url(policy_arn: str, tab: str = "") -> str:
    url = reverse("console:policy-detail", args=[policy_arn])
    return f"{url}?tab={tab}" if tab else url


@require_GET
@login_required
@vary_on_headers("HX-Request")
def policy_list(request: HtmxHttpRequest) -> HttpResponse:
    identity = _identity(request)
    filters = PolicyFilterForm(request.GET)
    page = policy_selectors.policy_list(identity=identity, **filters.values())
    template = "console/policies/list.html#policy-table" if request.htmx else "console/policies/list.html"
    return render(request, template, {"identity": identity, "page": page, "scopes": SCOPE_CHOICES})


@require_POST
@login_required
def policy_validate(request: HtmxHttpRequest) -> HttpResponse:
    """The editor's live check: the engine's findings for the text typed so far (nothing is saved)."""
    identity = _identity(request)
    form = PolicyDocumentForm(request.POST)
    validation = policy_selectors.policy_validate(
        document=form.cleaned_data["document"], account_id=identity.account_id,
        name=request.POST.get("policy_name", "")[:128],
    ) if form.is_valid() else policy_selectors.PolicyValidation(findings=())
    return render(request, "console/policies/_findings.html", {"validation": validation, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def policy_create(request: HtmxHttpRequest) -> HttpResponse:
    identity = _identity(request)
    form = PolicyCreateForm(posted(request))
    why: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            arn = policy_services.policy_create(identity=identity, **form.cleaned_data)
        except AwsError as error:
            why = add_aws_error(form, error, CREATE_ERROR_FIELDS)
        else:
            messages.success(request, _("Policy %(name)s created.") % {"name": form.cleaned_data["policy_name"]})
            url = _detail_url(arn)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    validation = policy_selectors.policy_validate(
        document=str(form["document"].value() or ""), account_id=identity.account_id,
        name=str(form["policy_name"].value() or ""),
    )
    template = "console/policies/create.html#policy-form" if request.htmx else "console/policies/create.html"
    return render(request, template, {"identity": identity, "form": form, "validation": validation, "why": why})


@require_http_methods(["GET", "POST"])
@login_required
def policy_edit(request: HtmxHttpRequest, policy_arn: str) -> HttpResponse:
    """"Edit" -> "Save changes": a new default version (CreatePolicyVersion with SetAsDefault)."""
    identity = _identity(request)
    policy = _detail(identity, policy_arn, with_versions=True)
    form = PolicyEditForm(posted(request), initial={"document": policy.document})
    why: list[str] = []
    limit_reached = False
    if request.method == "POST" and form.is_valid():
        try:
            policy_services.policy_update(identity=identity, policy_arn=policy.arn, **form.cleaned_data)
        except AwsError as error:
            why = add_aws_error(form, error, EDIT_ERROR_FIELDS)
            limit_reached = error.code == "LimitExceeded"
        else:
            messages.success(request, _("Policy %(name)s updated.") % {"name": policy.name})
            url = _detail_url(policy.arn)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    validation = policy_selectors.policy_validate(
        document=str(form["document"].value() or ""), account_id=identity.account_id, name=policy.name,
    )
    context = {"identity": identity, "policy": policy, "form": form, "validation": validation, "why": why,
               "limit_reached": limit_reached}
    template = "console/policies/edit.html#policy-form" if request.htmx else "console/policies/edit.html"
    return render(request, template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def policy_detail(request: HtmxHttpRequest, policy_arn: str) -> HttpResponse:
    identity = _identity(request)
    wanted = request.GET.get("tab", "")
    tab = next((tab for tab in policy_selectors.DETAIL_TABS if tab == wanted), "permissions")
    version = request.GET.get("version", "")
    version = version if VERSION_ID_PATTERN.fullmatch(version) else ""
    policy = _detail(identity, policy_arn, tab=tab, version_id=version)
    template = "console/policies/detail.html#policy-tabs" if request.htmx else "console/policies/detail.html"
    return render(request, template, {"identity": identity, "policy": policy, "tab": tab,
                                      "tabs": policy_selectors.DETAIL_TABS})


def _version_action(request: HtmxHttpRequest, policy_arn: str, *, delete: bool) -> HttpResponse:
    identity = _identity(request)
    form = PolicyVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a policy version."))
        return redirect(_detail_url(policy_arn, "versions"))
    version_id = form.cleaned_data["version_id"]
    action = policy_services.policy_version_delete if delete else policy_services.policy_version_set_default
    try:
        action(identity=identity, policy_arn=_checked_arn(policy_arn), version_id=version_id)
    except AwsError as error:
        messages.error(request, aws_error_text(error))
    else:
        done = _("Version %(version)s deleted.") if delete else _("Version %(version)s is now the default version.")
        messages.success(request, done % {"version": version_id})
    return redirect(_detail_url(policy_arn, "versions"))


@require_POST
@login_required
def policy_version_set_default(request: HtmxHttpRequest, policy_arn: str) -> HttpResponse:
    """"Set as default" on the Policy versions tab."""
    return _version_action(request, policy_arn, delete=False)


@require_POST
@login_required
def policy_version_delete(request: HtmxHttpRequest, policy_arn: str) -> HttpResponse:
    """"Delete" on the Policy versions tab (IAM refuses to delete the default version)."""
    return _version_action(request, policy_arn, delete=True)


@require_http_methods(["GET", "POST"])
@login_required
def policy_delete(request: HtmxHttpRequest, policy_arn: str) -> HttpResponse:
    """Delete a customer managed policy after typing its name (IAM answers DeleteConflict while it is attached)."""
    identity = _identity(request)
    policy = _detail(identity, policy_arn, tab="versions")
    form = ConfirmNameForm(posted(request), expected=policy.name)
    why: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            policy_services.policy_delete(identity=identity, policy_arn=policy.arn)
        except AwsError as error:
            why = add_aws_error(form, error)
        else:
            messages.success(request, _("Policy %(name)s deleted.") % {"name": policy.name})
            return redirect("console:policy-list")
    return render(request, "console/policies/delete.html",
                  {"identity": identity, "policy": policy, "form": form, "why": why})
