"""IAM > Roles: the role table (search, pages, delete) and the role page (summary, tabs, their editors)."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from console import selectors
from console.forms import RevokeSessionsForm
from console.forms_roles import (
    NEW_INLINE_POLICY,
    InlinePolicyForm,
    PolicyPickerForm,
    RoleDeleteForm,
    RoleSummaryForm,
    RoleTagsForm,
    TrustPolicyForm,
    selected_role_names,
)
from console.http import HtmxHttpRequest
from console.selectors import role_pages as role_selectors
from console.services import role_pages as role_services
from console.services import roles as revoke_services
from sandbox.errors import AwsError, NoSuchEntity
from sandbox.identity import Identity

TABS = ("permissions", "trust", "tags", "last-accessed", "revoke")
# The panels whose reads are more than GetRole (see role_selectors.role_page).
TAB_READS = {"permissions": {"permissions"}, "last-accessed": {"last-accessed"}}
SEARCH_MAX = 64

View = Callable[..., HttpResponse]


def role_view(view: View) -> View:
    """A role page view: a role the identity's account does not have (or a policy it does not have) is a 404."""

    @functools.wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NoSuchEntity as missing:
            raise Http404(missing.message) from missing

    return wrapped


def _identity(request: HtmxHttpRequest) -> Identity:
    return selectors.console_identity(request, user=request.user)


def _partial(request: HtmxHttpRequest) -> bool:
    """htmx asks for a fragment, except when it restores a page from history (it needs the whole page then)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _posted(request: HtmxHttpRequest) -> Any:
    """The posted data to bind a form to (an empty post still binds, so that its errors show)."""
    return request.POST if request.method == "POST" else None


def _aws(error: AwsError) -> str:
    return f"{error.code}: {error.message}"


def _tab_url(role_name: str, tab: str) -> str:
    return f"{reverse('console:role-detail', args=[role_name])}?tab={tab}"


# --- Roles list ----------------------------------------------------------------------------------------------


@require_GET
@login_required
@vary_on_headers("HX-Request")
def role_list(request: HtmxHttpRequest) -> HttpResponse:
    identity = _identity(request)
    query = request.GET.get("q", "")[:SEARCH_MAX]
    table = role_selectors.role_table(identity=identity, query=query, page=request.GET.get("page", "1")[:8])
    template = "console/roles/list.html" + ("#role-table" if _partial(request) else "")
    return render(request, template, {"identity": identity, "table": table, "query": query})


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def role_delete(request: HtmxHttpRequest) -> HttpResponse:
    """"Delete": a confirmation (a dialog with htmx, a page without), then the console's deletion sequence."""
    identity = _identity(request)
    form = RoleDeleteForm(request.POST if request.method == "POST" else None)
    names = selected_role_names(request.POST if request.method == "POST" else request.GET)
    results: tuple[role_services.RoleDeletion, ...] = ()
    if request.method == "POST" and form.is_valid():
        results = role_services.roles_delete(identity=identity, role_names=form.cleaned_data["role"])
        if all(result.deleted for result in results):
            text = ngettext("Role %(names)s deleted.", "Roles %(names)s deleted.", len(results))
            messages.success(request, text % {"names": ", ".join(names)})
            url = reverse("console:role-list")
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        names = [result.role_name for result in results if not result.deleted]
    template = "console/roles/list.html" + ("#role-delete-dialog" if _partial(request) else "")
    context = {"identity": identity, "delete_form": form, "delete_names": names, "delete_results": results,
               "confirming": True}
    return render(request, template, context)


# --- Role page -----------------------------------------------------------------------------------------------


def _switch_link(request: HtmxHttpRequest, identity: Identity, summary: role_selectors.RoleSummary) -> str:
    role = f"{summary.path.strip('/')}/{summary.name}".lstrip("/")
    query = urlencode({"roleName": role, "account": identity.account_id})
    return f"{request.build_absolute_uri(reverse('switchrole-link'))}?{query}"


def _show(
    request: HtmxHttpRequest, identity: Identity, role_name: str, *, tab: str, fragment: str = "",
    status: int = 200, summary: role_selectors.RoleSummary | None = None, **state: Any,
) -> HttpResponse:
    """The role page with `tab` shown, or for htmx only `fragment` (by default that tab's panel)."""
    fragment = fragment or f"panel-{tab}"
    partial = _partial(request)
    reads = set(TAB_READS.get(tab, set()) if partial else role_selectors.ALL_PANELS)
    if (fragment == "role-summary" and partial) or state.get("permissions_mode"):
        # Neither the summary nor the Permissions tab's editors show the policy table.
        reads.discard("permissions")
    page = role_selectors.role_page(identity=identity, role_name=role_name, panels=reads, summary=summary)
    context = {
        "identity": identity, "page": page, "role": page.summary, "tab": tab,
        "switch_link": _switch_link(request, identity, page.summary), "revoke_form": RevokeSessionsForm(),
        **state,
    }
    template = "console/roles/detail.html" + (f"#{fragment}" if partial else "")
    return render(request, template, context, status=status)


def _done(
    request: HtmxHttpRequest, identity: Identity, role_name: str, *, tab: str, notice: str, fragment: str = ""
) -> HttpResponse:
    """After a change: htmx gets the fresh panel with the notice; a plain form post is redirected to the tab."""
    if request.htmx:
        target = fragment or f"panel-{tab}"
        response = _show(request, identity, role_name, tab=tab, fragment=target, notice=notice, notice_for=target)
        return push_url(response, _tab_url(role_name, tab))
    messages.success(request, notice)
    return redirect(_tab_url(role_name, tab))


@require_GET
@login_required
@vary_on_headers("HX-Request")
@role_view
def role_detail(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    tab = request.GET.get("tab", TABS[0])
    return _show(request, _identity(request), role_name, tab=tab if tab in TABS else TABS[0])


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
@role_view
def role_summary_edit(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    """The Summary's Edit: description and "Maximum session duration" (UpdateRole)."""
    identity = _identity(request)
    current = role_selectors.role_summary(identity=identity, role_name=role_name)
    initial = {"description": current.description, "max_session_duration": current.max_session_duration}
    form = RoleSummaryForm(_posted(request), initial=initial, current_seconds=current.max_session_duration)
    if request.method == "POST" and form.is_valid():
        try:
            role_services.role_summary_update(identity=identity, role_name=role_name, **form.cleaned_data)
        except AwsError as refused:
            form.add_error(None, _aws(refused))
        else:
            return _done(request, identity, role_name, tab=TABS[0], fragment="role-summary",
                         notice=_("Role %(name)s updated.") % {"name": role_name})
    return _show(request, identity, role_name, tab=TABS[0], fragment="role-summary", summary=current,
                 summary_mode="edit", summary_form=form)


# --- Permissions tab -----------------------------------------------------------------------------------------


def _chooser(
    request: HtmxHttpRequest, identity: Identity, role_name: str, form: PolicyPickerForm, *, mode: str
) -> HttpResponse:
    """Attach policies / Set permissions boundary: the policy table (its search answers with `#policy-picker`)."""
    permissions = role_selectors.role_permissions(identity=identity, role_name=role_name)
    exclude = {policy.arn for policy in permissions.attached} if mode == "attach" else set()
    selected = request.POST.getlist("policy_arn") or request.GET.getlist("policy_arn")
    picker = role_selectors.policy_picker(
        identity=identity, query=request.GET.get("q", "")[:SEARCH_MAX], exclude=exclude, selected=selected[:50],
    )
    state: dict[str, Any] = {"permissions_mode": mode, "picker": picker, "picker_form": form}
    if _partial(request) and request.htmx.target == "policy-picker":
        return _show(request, identity, role_name, tab="permissions", fragment="policy-picker", **state)
    return _show(request, identity, role_name, tab="permissions", **state)


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request", "HX-Target")
@role_view
def role_policies_attach(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    """Add permissions > Attach policies."""
    identity = _identity(request)
    form = PolicyPickerForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        arns = form.cleaned_data["policy_arn"]
        try:
            role_services.role_policies_attach(identity=identity, role_name=role_name, policy_arns=arns)
        except AwsError as refused:
            form.add_error(None, _aws(refused))
        else:
            text = ngettext("Policy was successfully attached to role.",
                            "Policies were successfully attached to role.", len(arns))
            return _done(request, identity, role_name, tab="permissions", notice=text)
    return _chooser(request, identity, role_name, form, mode="attach")


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request", "HX-Target")
@role_view
def role_boundary_set(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    """Set (or change) the permissions boundary."""
    identity = _identity(request)
    form = PolicyPickerForm(_posted(request), single=True)
    if request.method == "POST" and form.is_valid():
        try:
            role_services.role_boundary_set(
                identity=identity, role_name=role_name, policy_arn=form.cleaned_data["policy_arn"][0])
        except AwsError as refused:
            form.add_error(None, _aws(refused))
        else:
            return _done(request, identity, role_name, tab="permissions", notice=_("Permissions boundary set."))
    return _chooser(request, identity, role_name, form, mode="boundary")


def _permissions_change(request: HtmxHttpRequest, role_name: str, change: Callable[[Identity], None],
                        notice: str) -> HttpResponse:
    """A one-button change on the Permissions tab: done, or the panel again with AWS's error."""
    identity = _identity(request)
    try:
        change(identity)
    except AwsError as refused:
        return _show(request, identity, role_name, tab="permissions", permissions_error=_aws(refused))
    return _done(request, identity, role_name, tab="permissions", notice=notice)


@require_POST
@login_required
@role_view
def role_policy_detach(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    arn = request.POST.get("policy_arn", "")[:2048]
    return _permissions_change(
        request, role_name,
        lambda identity: role_services.role_policy_detach(identity=identity, role_name=role_name, policy_arn=arn),
        _("Policy %(name)s removed.") % {"name": arn.rsplit("/", 1)[-1]},
    )


@require_POST
@login_required
@role_view
def role_boundary_delete(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    return _permissions_change(
        request, role_name,
        lambda identity: role_services.role_boundary_delete(identity=identity, role_name=role_name),
        _("Permissions boundary removed."),
    )


@require_POST
@login_required
@role_view
def role_inline_policy_delete(request: HtmxHttpRequest, role_name: str, policy_name: str) -> HttpResponse:
    return _permissions_change(
        request, role_name,
        lambda identity: role_services.role_inline_policy_delete(
            identity=identity, role_name=role_name, policy_name=policy_name),
        _("Policy %(name)s removed.") % {"name": policy_name},
    )


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
@role_view
def role_inline_policy(request: HtmxHttpRequest, role_name: str, policy_name: str = "") -> HttpResponse:
    """Create inline policy, or view and edit one: the JSON editor, validated by the engine."""
    identity = _identity(request)
    document = NEW_INLINE_POLICY
    if request.method == "GET" and policy_name:
        document = role_selectors.role_inline_policy(identity=identity, role_name=role_name, policy_name=policy_name)
    form = InlinePolicyForm(_posted(request), account_id=identity.account_id,
                            initial={"policy_name": policy_name, "policy_document": document})
    form.fields["policy_name"].disabled = bool(policy_name)
    state: dict[str, Any] = {"permissions_mode": "inline", "inline_form": form, "inline_name": policy_name}
    if request.method == "POST" and request.POST.get("action") == "validate":
        form.is_valid()
        return _show(request, identity, role_name, tab="permissions", fragment="inline-findings", **state)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["policy_name"]
        try:
            role_services.role_inline_policy_put(
                identity=identity, role_name=role_name, policy_name=name,
                document=form.cleaned_data["policy_document"])
        except AwsError as refused:
            form.add_error("policy_document", _aws(refused))
        else:
            return _done(request, identity, role_name, tab="permissions",
                         notice=_("Policy %(name)s saved.") % {"name": name})
    return _show(request, identity, role_name, tab="permissions", **state)


# --- Trust relationships tab ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
@role_view
def role_trust_edit(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    """Edit trust policy: validate, show the diff against the current policy, then UpdateAssumeRolePolicy."""
    identity = _identity(request)
    current = role_selectors.role_summary(identity=identity, role_name=role_name)
    form = TrustPolicyForm(_posted(request), account_id=identity.account_id,
                           initial={"policy_document": current.trust_policy_pretty})
    state: dict[str, Any] = {"trust_mode": "edit", "trust_form": form}
    if request.method == "POST" and request.POST.get("action") == "validate":
        form.is_valid()
        return _show(request, identity, role_name, tab="trust", fragment="trust-findings", summary=current, **state)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["policy_document"]
        if form.confirmed:
            try:
                role_services.role_trust_policy_update(identity=identity, role_name=role_name, document=document)
            except AwsError as refused:
                form.add_error("policy_document", _aws(refused))
            else:
                return _done(request, identity, role_name, tab="trust", notice=_("Trust policy updated."))
        diff = role_selectors.policy_diff(current.trust_policy, document)
        state.update(trust_mode="review", trust_diff=diff, trust_reviewed=document)
    return _show(request, identity, role_name, tab="trust", summary=current, **state)


# --- Tags tab ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
@role_view
def role_tags_edit(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    """Manage tags: "Add tag" and "Remove" change the rows; "Save changes" makes the role's tags these rows."""
    identity = _identity(request)
    current = role_selectors.role_summary(identity=identity, role_name=role_name)
    if request.method == "GET":
        form = RoleTagsForm(initial_rows=list(current.tags) or [("", "")])
    else:
        form = RoleTagsForm(request.POST)
    action = request.POST.get("action", "save")
    limit_reached = False
    if request.method == "POST" and action == "add":
        limit_reached = not form.add_row()
    elif request.method == "POST" and action.startswith("remove-"):
        form.remove_row(int(action[7:]) if action[7:].isdigit() else -1)
    elif request.method == "POST" and action == "save" and form.is_valid():
        try:
            role_services.role_tags_update(
                identity=identity, role_name=role_name, current=current.tags, wanted=form.cleaned_tags)
        except AwsError as refused:
            form.add_error(None, _aws(refused))
        else:
            return _done(request, identity, role_name, tab="tags", notice=_("Tags saved."))
    return _show(request, identity, role_name, tab="tags", summary=current, tags_mode="edit", tags_form=form,
                 tags_limit_reached=limit_reached)


# --- Revoke sessions tab -------------------------------------------------------------------------------------


@require_POST
@login_required
@role_view
def revoke_sessions(request: HtmxHttpRequest, role_name: str) -> HttpResponse:
    """"Revoke active sessions": after confirmation, every session of the role issued before now is denied."""
    identity = _identity(request)
    form = RevokeSessionsForm(request.POST)
    if form.is_valid():
        try:
            revoke_services.role_sessions_revoke(identity=identity, role_name=role_name)
        except AwsError as refused:
            form.add_error(None, _aws(refused))
        else:
            notice = _("Active sessions for %(role)s were revoked.") % {"role": role_name}
            if request.htmx:
                return _show(request, identity, role_name, tab="revoke", notice=notice, notice_for="panel-revoke")
            messages.success(request, notice)
            return redirect("console:role-detail", role_name=role_name)
    # A plain post answers 400 (the form was refused); htmx swaps only 2xx answers, so it gets 200.
    return _show(request, identity, role_name, tab="revoke", revoke_form=form, status=200 if request.htmx else 400)
