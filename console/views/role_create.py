"""IAM > Roles > Create role: the three-step wizard ("Select trusted entity", "Add permissions", "Name, review, and
create").

Each step is its own URL under the wizard's id; the state lives in the Django session (`console.wizard_state`), so
Back/Forward, reload and plain form posts (no JavaScript) all work. htmx only swaps fragments: the trust policy
preview, the policy table and selection, the validation findings and the tag editor.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from console import selectors
from console.forms_wizard import (
    TAGS_MAX,
    PermissionsForm,
    ReviewForm,
    TrustedEntityForm,
    entity_form_data,
    with_service_use_case,
)
from console.http import HtmxHttpRequest
from console.middleware import denial_context
from console.selectors import wizard as wizard_selectors
from console.services import wizard as wizard_services
from console.services.wizard_trust import ENTITY_TYPES, SERVICES
from console.wizard_state import WizardState, wizard_close, wizard_get, wizard_open, wizard_save
from sandbox.errors import AccessDenied, AwsError, MalformedPolicyDocument
from sandbox.identity import Identity

TEMPLATE = "console/roles/create.html"
SCOPE_LABELS = (("All", gettext_lazy("All types")), ("AWS", gettext_lazy("AWS managed")),
                ("Local", gettext_lazy("Customer managed")))


@require_GET
@login_required
def create_role(request: HtmxHttpRequest) -> HttpResponse:
    """"Create role": open a new wizard at step 1."""
    wizard_id = wizard_open(request.session, owner=request.user.pk)
    return redirect("console:role-create-entity", wizard_id=wizard_id)


def _wizard(request: HtmxHttpRequest, wizard_id: object) -> WizardState | None:
    return wizard_get(request.session, str(wizard_id), owner=request.user.pk)


def _restart(request: HtmxHttpRequest) -> HttpResponse:
    messages.info(request, _("That create-role wizard is no longer open, so a new one was started."))
    return redirect("console:role-create")


def _urls(wizard_id: object) -> dict[str, str]:
    return {step: reverse(f"console:role-create-{step}", args=[wizard_id])
            for step in ("entity", "permissions", "review")}


def _page(request: HtmxHttpRequest, step: int, wizard_id: object, state: WizardState, **context: Any) -> dict[str, Any]:
    return {"step": step, "urls": _urls(wizard_id), "has_choice": bool(state["choice"]), **context}


# --- Step 1: Select trusted entity -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
@vary_on_headers("HX-Request")
def create_role_entity(request: HtmxHttpRequest, wizard_id: object) -> HttpResponse:
    state = _wizard(request, wizard_id)
    if state is None:
        return _restart(request)
    identity = selectors.console_identity(request, user=request.user)
    providers = wizard_selectors.wizard_identity_providers(identity=identity)
    action = request.POST.get("_action", "next")
    data: Any = entity_form_data(state["choice"], account_id=identity.account_id)
    if request.method == "POST":
        data = with_service_use_case(request.POST) if action == "service" else request.POST
    form = TrustedEntityForm(data, account_id=identity.account_id, providers=providers)
    if request.method == "POST" and action == "next" and form.is_valid():
        wizard_save(request.session, str(wizard_id), wizard_services.wizard_trust_choose(state, form.choice))
        return redirect("console:role-create-permissions", wizard_id=wizard_id)
    context = _page(request, 1, wizard_id, state, identity=identity, form=form, providers=providers,
                    **_entity_context(form))
    template = TEMPLATE
    if request.htmx and request.method == "POST":
        template += "#service-change" if action == "service" else "#trust-preview"
    return render(request, template, context)


def _entity_context(form: TrustedEntityForm) -> dict[str, Any]:
    return {
        "entity_types": ENTITY_TYPES, "services": SERVICES, "chosen_service": str(form.data.get("service") or ""),
        "chosen_use_case": str(form.data.get("use_case") or ""), "chosen_type": str(form.data.get("entity_type") or ""),
        "preview": form.preview(), "check": form.custom_check(),
    }


# --- Step 2: Add permissions ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
@vary_on_headers("HX-Request")
def create_role_permissions(request: HtmxHttpRequest, wizard_id: object) -> HttpResponse:
    state = _wizard(request, wizard_id)
    if state is None:
        return _restart(request)
    if not state["choice"]:
        return redirect("console:role-create-entity", wizard_id=wizard_id)
    action = request.POST.get("_action", "save")
    form = PermissionsForm(request.POST if request.method == "POST" else None, current=state["policies"],
                           finishing=action == "next",
                           initial={"boundary_mode": "use" if state["boundary"] else "none"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wizard_save(request.session, str(wizard_id), wizard_services.wizard_policies_select(
            state, selected=data["selected"], boundary=data["boundary"]))
        if not request.htmx or action != "save":
            return _after_permissions(wizard_id, action, request.POST)
    identity = selectors.console_identity(request, user=request.user)
    params = request.POST if request.method == "POST" else request.GET
    context = _page(request, 2, wizard_id, state, form=form, **_permissions_context(identity, state, params))
    template = TEMPLATE
    if request.htmx:
        template += "#policy-selection" if request.method == "POST" else "#policy-table"
    return render(request, template, context)


def _after_permissions(wizard_id: object, action: str, post: Any) -> HttpResponse:
    if action == "next":
        return redirect("console:role-create-review", wizard_id=wizard_id)
    if action == "previous":
        return redirect("console:role-create-entity", wizard_id=wizard_id)
    query = urlencode({"q": str(post.get("q", ""))[:128], "scope": str(post.get("scope", "All"))})
    return redirect(reverse("console:role-create-permissions", args=[wizard_id]) + "?" + query)


def _permissions_context(identity: Identity, state: WizardState, params: Any) -> dict[str, Any]:
    query, scope = str(params.get("q", ""))[:128], str(params.get("scope", "All"))
    scope = scope if scope in wizard_selectors.SCOPES else "All"
    every = wizard_selectors.wizard_policy_list(identity=identity, scope="All")
    listing = every if scope == "All" else wizard_selectors.wizard_policy_list(identity=identity, scope=scope)
    return {
        "query": query, "scope": scope, "scopes": SCOPE_LABELS, "refusal": listing.refusal or every.refusal,
        "rows": wizard_selectors.policy_rows_matching(listing.rows, query), "total": len(listing.rows),
        "boundary_rows": every.rows, "selected": state["policies"], "boundary": state["boundary"],
        "selected_rows": [wizard_selectors.policy_row_for(arn) for arn in state["policies"]],
    }


# --- Step 3: Name, review, and create ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
@vary_on_headers("HX-Request")
def create_role_review(request: HtmxHttpRequest, wizard_id: object) -> HttpResponse:
    state = _wizard(request, wizard_id)
    if state is None:
        return _restart(request)
    if not state["choice"]:
        return redirect("console:role-create-entity", wizard_id=wizard_id)
    identity = selectors.console_identity(request, user=request.user)
    initial = {"role_name": state["review"]["role_name"], "description": state["review"]["description"],
               "trust_policy": state["trust_policy"]}
    form = ReviewForm(request.POST if request.method == "POST" else None, initial=initial,
                      account_id=identity.account_id, tags=state["review"]["tags"])
    action = request.POST.get("_action", "save")
    denial: dict[str, Any] | None = None
    if request.method == "POST":
        _keep_review(request, wizard_id, state, form, action)
        if action == "create":
            outcome = _create(request, wizard_id, identity, state, form)
            if isinstance(outcome, HttpResponse):
                return outcome
            denial = outcome
        elif not request.htmx:
            # Without JavaScript, "Add tag", "Remove", Enter and "Previous" post the page, then come back to a GET.
            exit_to = "console:role-create-permissions" if action == "previous" else "console:role-create-review"
            return redirect(exit_to, wizard_id=wizard_id)
    context = _page(request, 3, wizard_id, state, form=form, **_review_context(identity, state, form), denial=denial)
    template = TEMPLATE
    if request.htmx and action != "create":
        template += "#trust-findings" if action == "validate" else "#role-tags"
    return render(request, template, context)


def _create(
    request: HtmxHttpRequest, wizard_id: object, identity: Identity, state: WizardState, form: ReviewForm
) -> HttpResponse | dict[str, Any] | None:
    """"Create role": the redirect to the new role, or the refusal put on the form (with "Why?" for a denial)."""
    if not form.is_valid():
        return None
    try:
        created = wizard_services.role_wizard_create(
            identity=identity, plan=form.plan(policies=state["policies"], boundary=state["boundary"]))
    except AwsError as refused:
        return _refusal_to_form(form, refused)
    return _created(request, wizard_id, created)


def _keep_review(
    request: HtmxHttpRequest, wizard_id: object, state: WizardState, form: ReviewForm, action: str
) -> None:
    """Keep what was typed; "Add tag" / "Remove" change the tag rows first."""
    if action == "add_tag":
        form.add_tag_row()
    elif action.startswith("remove_tag:"):
        form.remove_tag_row(action.removeprefix("remove_tag:"))
    wizard_save(request.session, str(wizard_id),
                wizard_services.wizard_review_keep(state, draft=form.draft(), trust_policy=form.trust_text()))


def _refusal_to_form(form: ReviewForm, refused: AwsError) -> dict[str, Any] | None:
    """IAM's own refusal of CreateRole, on the field it is about (an AccessDenied also gets its "Why?")."""
    if isinstance(refused, AccessDenied):
        form.add_error(None, f"{refused.code}: {refused.message}")
        return denial_context(refused)
    text = f"{refused.code}: {refused.message}"
    if isinstance(refused, MalformedPolicyDocument) or refused.code == "MalformedPolicyDocument":
        form.add_error("trust_policy", text)
    elif refused.code == "EntityAlreadyExists" or "roleName" in refused.message:
        form.add_error("role_name", text)
    elif "description" in refused.message:
        form.add_error("description", text)
    else:
        form.add_error(None, text)
    return None


def _created(request: HtmxHttpRequest, wizard_id: object, created: wizard_services.RoleCreated) -> HttpResponse:
    wizard_close(request.session, str(wizard_id))
    messages.success(request, _("Role %(name)s created.") % {"name": created.role_name})
    for failure in created.failures:
        messages.error(request, _(
            "The role was created, but %(action)s for %(target)s failed: %(code)s: %(message)s. "
            "The role exists without it: fix this on the role's page."
        ) % {"action": failure.action, "target": failure.target, "code": failure.code, "message": failure.message})
    return redirect("console:role-detail", role_name=created.role_name)


def _review_context(identity: Identity, state: WizardState, form: ReviewForm) -> dict[str, Any]:
    check = form.trust_check or wizard_selectors.trust_policy_check(
        document=form.trust_text() if form.is_bound else state["trust_policy"], account_id=identity.account_id)
    return {
        "check": check, "tag_rows": form.tag_rows, "tags_left": max(0, TAGS_MAX - len(form.tag_rows)),
        "focus_last_tag": form.focus_last_tag, "choice": state["choice"],
        "selected_rows": [wizard_selectors.policy_row_for(arn) for arn in state["policies"]],
        "boundary_row": wizard_selectors.policy_row_for(state["boundary"]) if state["boundary"] else None,
        "entity_label": dict((kind.value, label) for kind, label, _d in ENTITY_TYPES).get(
            str(state["choice"].get("entity_type", "")), ""),
    }
