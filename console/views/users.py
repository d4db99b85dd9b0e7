"""IAM > Users: the user table, create user, the user page (permissions, groups, security credentials), console
passwords, access keys (the secret shown once) and virtual MFA devices."""
from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from console import selectors
from console.forms_policies_users import (
    AccessKeyStatusForm,
    AttachPoliciesForm,
    ConsoleAccessForm,
    MfaAssignForm,
    MfaEnableForm,
    MfaSerialForm,
    OneTimeForm,
    PolicyArnForm,
    PolicyFilterForm,
    UserCreateForm,
    UserFilterForm,
)
from console.http import HtmxHttpRequest
from console.selectors import policies as policy_selectors
from console.selectors import users as user_selectors
from console.services import users as user_services
from console.views.policies import NOT_FOUND_CODES, add_aws_error, aws_error_text, aws_error_why, posted
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity

USER_ERROR_FIELDS = {"EntityAlreadyExists": "user_name", "PasswordPolicyViolation": "password"}
MFA_CODE_FIELDS = {"InvalidAuthenticationCode": "code2"}
MFA_PENDING = "console.mfa_pending"  # the serial number of the device being set up (never its seed)
ONE_TIME_TOKENS = "console.one_time_tokens"
ONE_TIME_KEPT = 5


# --- session state: one-time tokens and the MFA device being set up ----------------------------------------------

def _token_new(session: SessionBase) -> str:
    token = secrets.token_urlsafe(16)
    session[ONE_TIME_TOKENS] = [*session.get(ONE_TIME_TOKENS, [])[-(ONE_TIME_KEPT - 1):], token]
    return token


def _token_spend(session: SessionBase, token: str) -> bool:
    tokens = list(session.get(ONE_TIME_TOKENS, []))
    if token not in tokens:
        return False
    tokens.remove(token)
    session[ONE_TIME_TOKENS] = tokens
    return True


def _pending_serial(session: SessionBase, identity: Identity, user_name: str) -> str:
    state = session.get(MFA_PENDING) or {}
    if state.get("account_id") == identity.account_id and state.get("user_name") == user_name:
        return str(state.get("serial_number", ""))
    return ""


def _pending_remember(session: SessionBase, identity: Identity, user_name: str, serial_number: str) -> None:
    session[MFA_PENDING] = {"account_id": identity.account_id, "user_name": user_name, "serial_number": serial_number}


# --- helpers ------------------------------------------------------------------------------------------------------

def _identity(request: HtmxHttpRequest) -> Identity:
    return selectors.console_identity(request, user=request.user)


def _tab(value: str) -> user_selectors.UserTab:
    return next((tab for tab in user_selectors.USER_TABS if tab == value), "permissions")


def _user(identity: Identity, user_name: str, tab: user_selectors.UserTab = "permissions") -> user_selectors.UserDetail:
    """The user, or 404 when the account has no such user (AccessDenied goes to the denial page)."""
    try:
        return user_selectors.user_detail(identity=identity, user_name=user_name, tab=tab)
    except AccessDenied:
        raise
    except AwsError as error:
        if error.code in NOT_FOUND_CODES:
            raise Http404(error.message) from error
        raise


def _tab_url(user_name: str, tab: str = "") -> str:
    url = reverse("console:user-detail", args=[user_name])
    return f"{url}?tab={tab}" if tab else url


def _done(request: HtmxHttpRequest, user_name: str, tab: str, error: AwsError | None, success: str) -> HttpResponse:
    """After an action on the user page: its message, then the tab again (htmx follows the redirect and swaps
    the tabs fragment; without JavaScript it is a normal page load)."""
    if error is None:
        messages.success(request, success)
    else:
        messages.error(request, aws_error_text(error))
    return redirect(_tab_url(user_name, tab))


# --- list, create, detail -----------------------------------------------------------------------------------------

@require_GET
@login_required
@vary_on_headers("HX-Request")
def user_list(request: HtmxHttpRequest) -> HttpResponse:
    identity = _identity(request)
    page = user_selectors.user_list(identity=identity, **UserFilterForm(request.GET).values())
    template = "console/users/list.html#user-table" if request.htmx else "console/users/list.html"
    return render(request, template, {"identity": identity, "page": page})


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def user_create(request: HtmxHttpRequest) -> HttpResponse:
    identity = _identity(request)
    form = UserCreateForm(posted(request))
    why: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = user_services.user_create(identity=identity, **form.cleaned_data)
        except AwsError as error:
            why = add_aws_error(form, error, USER_ERROR_FIELDS)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": created.user_name})
            if created.generated_password:
                # The autogenerated password is in this response only ("Retrieve password"); htmx shows it as the
                # whole page, and a reload asks for the empty form, never for the password again.
                response = render(request, "console/users/password.html", {"identity": identity, "result": created})
                return reswap(retarget(response, "body"), "innerHTML") if request.htmx else response
            url = _tab_url(created.user_name)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    template = "console/users/create.html#user-form" if request.htmx else "console/users/create.html"
    return render(request, template, {"identity": identity, "form": form, "why": why})


@require_GET
@login_required
@vary_on_headers("HX-Request")
def user_detail(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    identity = _identity(request)
    user = _user(identity, user_name, _tab(request.GET.get("tab", "")))
    template = "console/users/detail.html#user-tabs" if request.htmx else "console/users/detail.html"
    return render(request, template, {"identity": identity, "iam_user": user, "tabs": user_selectors.USER_TABS})


# --- permissions --------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def user_attach_policies(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"Add permissions" -> "Attach policies directly": pick managed policies from the searchable table."""
    identity = _identity(request)
    user = _user(identity, user_name)
    form = AttachPoliciesForm(posted(request))
    why: list[str] = []
    if request.method == "POST" and form.is_valid():
        arns = form.cleaned_data["policy_arns"]
        try:
            user_services.user_policies_attach(identity=identity, user_name=user.name, policy_arns=arns)
        except AwsError as error:
            why = add_aws_error(form, error)
        else:
            text = ngettext("%(count)d policy attached to %(name)s.", "%(count)d policies attached to %(name)s.",
                            len(arns))
            messages.success(request, text % {"count": len(arns), "name": user.name})
            return redirect(_tab_url(user.name))
    page = policy_selectors.policy_list(identity=identity, **PolicyFilterForm(request.GET).values())
    template = "console/users/attach.html#policy-picker" if request.htmx else "console/users/attach.html"
    return render(request, template, {"identity": identity, "iam_user": user, "form": form, "page": page, "why": why})


@require_POST
@login_required
def user_detach_policy(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"Remove" on the Permissions tab: DetachUserPolicy."""
    identity = _identity(request)
    form = PolicyArnForm(request.POST)
    if not form.is_valid():
        raise Http404(_("This policy does not exist."))
    arn = form.cleaned_data["policy_arn"]
    try:
        user_services.user_policy_detach(identity=identity, user_name=user_name, policy_arn=arn)
    except AwsError as error:
        return _done(request, user_name, "permissions", error, "")
    return _done(request, user_name, "permissions", None, _("Policy %(arn)s removed.") % {"arn": arn})


# --- console password ---------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def user_console_access(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"Manage console access": enable (with a custom or autogenerated password), reset, or disable."""
    identity = _identity(request)
    user = _user(identity, user_name, "security")
    form = ConsoleAccessForm(posted(request))
    why: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = user_services.console_access_update(
                identity=identity, user_name=user.name, enable=data["console_access"] == "enable",
                password_type=data["password_type"], password=data["password"], require_reset=data["require_reset"],
            )
        except AwsError as error:
            why = add_aws_error(form, error, USER_ERROR_FIELDS)
        else:
            messages.success(request, _("Console access for %(name)s updated.") % {"name": user.name})
            if result.generated_password:
                return render(request, "console/users/password.html", {"identity": identity, "result": result})
            return redirect(_tab_url(user.name, "security"))
    return render(request, "console/users/console_access.html",
                  {"identity": identity, "iam_user": user, "form": form, "why": why})


# --- access keys --------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def access_key_create(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"Create access key" -> "Retrieve access keys": the secret is in this one response, never stored by us.

    The form carries a one-time token, so reloading the answer (a second POST) cannot show a secret again.
    """
    identity = _identity(request)
    user = _user(identity, user_name, "security")
    form = OneTimeForm(posted(request))
    error_text, why = "", []
    if request.method == "POST" and form.is_valid():
        if not _token_spend(request.session, form.cleaned_data["token"]):
            messages.info(request, _("This access key was already created. Its secret access key was shown once "
                                     "and cannot be retrieved again."))
            return redirect(_tab_url(user.name, "security"))
        try:
            key = user_services.access_key_create(identity=identity, user_name=user.name)
        except AwsError as error:
            error_text, why = aws_error_text(error), aws_error_why(error)
        else:
            key_url = reverse("console:user-access-key-detail", args=[user.name, key.access_key_id])
            return render(request, "console/users/access_key_created.html",
                          {"identity": identity, "iam_user": user, "key": key, "key_url": key_url})
    context = {"identity": identity, "iam_user": user, "token": _token_new(request.session), "error": error_text,
               "why": why}
    return render(request, "console/users/access_key_create.html", context)


@require_GET
@login_required
def access_key_detail(request: HtmxHttpRequest, user_name: str, access_key_id: str) -> HttpResponse:
    """The access key's page: its ID and status; the secret is never shown again."""
    identity = _identity(request)
    user = _user(identity, user_name, "security")
    key = next((key for key in user.access_keys if key.access_key_id == access_key_id), None)
    if key is None:
        raise Http404(_("This access key does not exist."))
    return render(request, "console/users/access_key.html", {"identity": identity, "iam_user": user, "key": key})


@require_POST
@login_required
def access_key_status(request: HtmxHttpRequest, user_name: str, access_key_id: str) -> HttpResponse:
    """"Deactivate" / "Activate": UpdateAccessKey."""
    identity = _identity(request)
    form = AccessKeyStatusForm(request.POST)
    status = form.cleaned_data["status"] if form.is_valid() else "Inactive"
    try:
        user_services.access_key_status_update(identity=identity, user_name=user_name, access_key_id=access_key_id,
                                               status=status)
    except AwsError as error:
        return _done(request, user_name, "security", error, "")
    done = _("Access key %(key)s activated.") if status == "Active" else _("Access key %(key)s deactivated.")
    return _done(request, user_name, "security", None, done % {"key": access_key_id})


@require_POST
@login_required
def access_key_delete(request: HtmxHttpRequest, user_name: str, access_key_id: str) -> HttpResponse:
    identity = _identity(request)
    try:
        user_services.access_key_delete(identity=identity, user_name=user_name, access_key_id=access_key_id)
    except AwsError as error:
        return _done(request, user_name, "security", error, "")
    return _done(request, user_name, "security", None, _("Access key %(key)s deleted.") % {"key": access_key_id})


# --- virtual MFA devices ------------------------------------------------------------------------------------------

def _mfa_setup(request: HtmxHttpRequest, context: dict[str, Any], *, fragment: bool = False) -> HttpResponse:
    template = "console/users/mfa_setup.html#mfa-enable-form" if fragment else "console/users/mfa_setup.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def mfa_assign(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"Assign MFA device": a device name, then CreateVirtualMFADevice; the answer's QR code and seed are shown
    in this response only (the session keeps the serial number)."""
    identity = _identity(request)
    user = _user(identity, user_name, "security")
    form = MfaAssignForm(posted(request))
    why: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            device = user_services.mfa_device_create(identity=identity, device_name=form.cleaned_data["device_name"])
        except AwsError as error:
            pending = _pending_serial(request.session, identity, user.name)
            if error.code == "EntityAlreadyExists" and pending.endswith("/" + form.cleaned_data["device_name"]):
                return redirect("console:user-mfa-enable", user_name=user.name)  # the page was sent twice
            why = add_aws_error(form, error, {"EntityAlreadyExists": "device_name", "ValidationError": "device_name"})
        else:
            _pending_remember(request.session, identity, user.name, device.serial_number)
            context = {"identity": identity, "iam_user": user, "user_name": user.name, "device": device,
                       "form": MfaEnableForm()}
            return _mfa_setup(request, context)
    return render(request, "console/users/mfa_assign.html", {"identity": identity, "iam_user": user, "form": form,
                                                             "why": why})


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def mfa_enable(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"MFA code 1" and "MFA code 2" -> EnableMFADevice. Errors keep the QR code on the page: an htmx request swaps
    only the form; a full page reads the seed back from the sandbox while the device is not enabled."""
    identity = _identity(request)
    serial = _pending_serial(request.session, identity, user_name)
    if not serial:
        return redirect("console:user-mfa-assign", user_name=user_name)
    form = MfaEnableForm(posted(request))
    why: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            user_services.mfa_device_enable(identity=identity, user_name=user_name, serial_number=serial,
                                            **form.cleaned_data)
        except AwsError as error:
            why = add_aws_error(form, error, MFA_CODE_FIELDS)
        else:
            request.session.pop(MFA_PENDING, None)
            messages.success(request, _("MFA device assigned."))
            url = _tab_url(user_name, "security")
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context: dict[str, Any] = {"identity": identity, "form": form, "why": why, "user_name": user_name}
    if request.htmx and request.method == "POST":
        return _mfa_setup(request, context, fragment=True)
    device = user_selectors.mfa_pending_device(identity=identity, user_name=user_name, serial_number=serial)
    if device is None:
        request.session.pop(MFA_PENDING, None)
        return redirect("console:user-mfa-assign", user_name=user_name)
    return _mfa_setup(request, {**context, "iam_user": _user(identity, user_name, "security"), "device": device})


@require_POST
@login_required
def mfa_cancel(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"Cancel" during set-up: the device that was never enabled is deleted."""
    identity = _identity(request)
    serial = _pending_serial(request.session, identity, user_name)
    request.session.pop(MFA_PENDING, None)
    if serial:
        user_services.mfa_device_cancel(identity=identity, serial_number=serial)
    return redirect(_tab_url(user_name, "security"))


@require_POST
@login_required
def mfa_remove(request: HtmxHttpRequest, user_name: str) -> HttpResponse:
    """"Remove": DeactivateMFADevice and DeleteVirtualMFADevice."""
    identity = _identity(request)
    form = MfaSerialForm(request.POST)
    if not form.is_valid():
        raise Http404(_("This MFA device does not exist."))
    try:
        user_services.mfa_device_remove(identity=identity, user_name=user_name,
                                        serial_number=form.cleaned_data["serial_number"])
    except AwsError as error:
        return _done(request, user_name, "security", error, "")
    return _done(request, user_name, "security", None, _("MFA device removed."))
