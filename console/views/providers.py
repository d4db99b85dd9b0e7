"""IAM > Identity providers: the list, "Add provider" (SAML / OpenID Connect), a provider's page, delete."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from console import selectors
from console.forms_providers import (
    AddAudienceForm,
    DeleteProviderForm,
    OidcProviderForm,
    RemoveAudienceForm,
    ReplaceMetadataForm,
    SamlProviderForm,
    ThumbprintsForm,
)
from console.http import HtmxHttpRequest
from console.services import providers as provider_services
from console.services.providers import InvalidSamlMetadata, ProviderDetail, ProviderKind
from sandbox.errors import AwsError
from sandbox.identity import Identity

DETAIL = "console/providers/detail.html"
KINDS: tuple[ProviderKind, ...] = ("saml", "oidc")


def _redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _add_error(form: forms.Form, error: AwsError, field: str | None = None) -> None:
    """AWS's code and message, then (for refused metadata) why, in words."""
    form.add_error(field, f"{error.code}: {error.message}")
    if isinstance(error, InvalidSamlMetadata):
        form.add_error(field, _("Why: %(why)s") % {"why": error.why})


@require_GET
@login_required
@vary_on_headers("HX-Request")
def provider_list(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    query = request.GET.get("q", "")[:128]
    found = provider_services.provider_list(identity=identity)
    shown = tuple(p for p in found if query.strip().lower() in p.name.lower()) if query.strip() else found
    template = "console/providers/list.html" + ("#provider-table" if request.htmx else "")
    return render(request, template, {"identity": identity, "providers": shown, "total": len(found), "query": query})


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def provider_create(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    data = request.POST if request.method == "POST" else None
    kind = (data or request.GET).get("provider_type", "saml")
    kind = kind if kind in KINDS else "saml"
    preset = provider_services.provider_preset(identity=identity, slug=request.GET.get("preset", ""))
    if preset is not None:
        kind = preset.kind
    saml_data, saml_files = (data, request.FILES or None) if kind == "saml" else (None, None)
    saml_form = SamlProviderForm(saml_data, saml_files, initial=_saml_initial(preset))
    oidc_form = OidcProviderForm(data if kind == "oidc" else None, initial=_oidc_initial(preset))
    if data is not None:
        arn = _create(identity, saml_form if kind == "saml" else oidc_form, kind)
        if arn:
            messages.success(request, _("Provider added."))
            return _redirect(request, _detail_url(kind, arn.split("/", 1)[1]))
    context = {
        "identity": identity, "kind": kind, "saml_form": saml_form, "oidc_form": oidc_form,
        "presets": provider_services.provider_presets(identity=identity),
    }
    template = "console/providers/create.html" + ("#add-provider-form" if request.htmx else "")
    return render(request, template, context)


def _saml_initial(preset: provider_services.ProviderPreset | None) -> dict[str, str]:
    if preset is None or preset.kind != "saml":
        return {}
    return {"provider_name": preset.name, "metadata_text": preset.metadata_document}


def _oidc_initial(preset: provider_services.ProviderPreset | None) -> dict[str, str]:
    if preset is None or preset.kind != "oidc":
        return {}
    return {"provider_url": preset.url, "audiences": "\n".join(preset.audiences),
            "thumbprints": "\n".join(preset.thumbprints)}


def _create(identity: Identity, form: forms.Form, kind: ProviderKind) -> str:
    """The new provider's ARN, or "" with the refusal added to the form."""
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    try:
        if kind == "saml":
            return provider_services.saml_provider_create(
                identity=identity, name=data["provider_name"], metadata_document=data["metadata_document"]
            )
        return provider_services.oidc_provider_create(
            identity=identity, url=data["provider_url"], audiences=data["audiences"], thumbprints=data["thumbprints"]
        )
    except AwsError as error:
        _add_error(form, error, _create_error_field(error, kind))
        return ""


def _create_error_field(error: AwsError, kind: ProviderKind) -> str | None:
    if kind == "saml":
        return "provider_name" if error.code == "EntityAlreadyExists" else "metadata_text"
    if "thumbprint" in error.message.lower():
        return "thumbprints"
    if "client" in error.message.lower():
        return "audiences"
    return "provider_url" if error.code in ("EntityAlreadyExists", "ValidationError", "InvalidInput") else None


def _detail_url(kind: str, name: str) -> str:
    return reverse("console:provider-detail", args=[kind, name])


def _provider(identity: Identity, kind: str, name: str) -> ProviderDetail:
    if kind not in KINDS:
        raise Http404
    try:
        return provider_services.provider_get(identity=identity, kind=kind, name=name)
    except AwsError as error:
        if error.code == "NoSuchEntity":
            raise Http404(error.message) from error
        raise


def _detail_context(identity: Identity, provider: ProviderDetail, **forms_: forms.Form) -> dict[str, Any]:
    defaults: dict[str, forms.Form] = {
        "metadata_form": ReplaceMetadataForm(), "audience_form": AddAudienceForm(),
        "thumbprints_form": ThumbprintsForm(initial={"thumbprints": "\n".join(provider.thumbprints)}),
    }
    return {
        "identity": identity, "provider": provider, **defaults, **forms_,
        "trust_policy_example": provider_services.provider_trust_policy_example(provider),
    }


@require_GET
@login_required
def provider_detail(request: HtmxHttpRequest, kind: str, name: str) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    provider = _provider(identity, kind, name)
    return render(request, DETAIL, _detail_context(identity, provider))


@require_POST
@login_required
def provider_metadata_replace(request: HtmxHttpRequest, name: str) -> HttpResponse:
    """"Replace metadata" of a SAML provider."""
    identity = selectors.console_identity(request, user=request.user)
    provider = _provider(identity, "saml", name)
    form = ReplaceMetadataForm(request.POST, request.FILES or None)
    if form.is_valid():
        try:
            provider_services.saml_provider_metadata_update(
                identity=identity, name=name, metadata_document=form.cleaned_data["metadata_document"]
            )
        except AwsError as error:
            _add_error(form, error, "metadata_text")
        else:
            messages.success(request, _("The metadata document was replaced."))
            return _redirect(request, _detail_url("saml", name))
    template = DETAIL + ("#replace-metadata-form" if request.htmx else "")
    return render(request, template, _detail_context(identity, provider, metadata_form=form))


@require_POST
@login_required
def provider_audience_add(request: HtmxHttpRequest, name: str) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    form = AddAudienceForm(request.POST)
    if form.is_valid():
        _audience_change(identity, form, name, add=True)
    return _audiences_answer(request, identity, name, form)


@require_POST
@login_required
def provider_audience_remove(request: HtmxHttpRequest, name: str) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    form = RemoveAudienceForm(request.POST)
    if form.is_valid():
        _audience_change(identity, form, name, add=False)
    return _audiences_answer(request, identity, name, form)


def _audience_change(identity: Identity, form: forms.Form, name: str, *, add: bool) -> None:
    audience = form.cleaned_data["audience"].strip()
    try:
        if add:
            provider_services.oidc_audience_add(identity=identity, name=name, audience=audience)
        else:
            provider_services.oidc_audience_remove(identity=identity, name=name, audience=audience)
    except AwsError as error:
        _add_error(form, error)


def _audiences_answer(request: HtmxHttpRequest, identity: Identity, name: str, form: forms.Form) -> HttpResponse:
    """The refreshed audiences panel (htmx), the page again with errors, or back to the page (PRG)."""
    provider = _provider(identity, "oidc", name)
    if not form.errors and not request.htmx:
        return redirect(_detail_url("oidc", name))
    template = DETAIL + ("#oidc-audiences" if request.htmx else "")
    context = _detail_context(identity, provider)
    if form.errors:
        # Refusals (add or remove) show above the table; a bad value stays on the add form with its error.
        context["audience_errors"] = [str(error) for error in form.non_field_errors()]
        if isinstance(form, AddAudienceForm):
            context["audience_form"] = form
    return render(request, template, context)


@require_POST
@login_required
def provider_thumbprints_update(request: HtmxHttpRequest, name: str) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    form = ThumbprintsForm(request.POST)
    if form.is_valid():
        try:
            provider_services.oidc_thumbprints_update(
                identity=identity, name=name, thumbprints=form.cleaned_data["thumbprints"]
            )
        except AwsError as error:
            _add_error(form, error, "thumbprints")
    provider = _provider(identity, "oidc", name)
    if not form.errors and not request.htmx:
        return redirect(_detail_url("oidc", name))
    template = DETAIL + ("#oidc-thumbprints" if request.htmx else "")
    context = _detail_context(identity, provider, **({"thumbprints_form": form} if form.errors else {}))
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def provider_delete(request: HtmxHttpRequest, kind: str, name: str) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    provider = _provider(identity, kind, name)
    form = DeleteProviderForm(request.POST or None, provider_name=provider.name)
    if request.method == "POST" and form.is_valid():
        try:
            provider_services.provider_delete(identity=identity, kind=provider.kind, name=provider.name)
        except AwsError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The identity provider %(name)s was deleted.") % {"name": provider.name})
            return _redirect(request, reverse("console:provider-list"))
    template = "console/providers/delete.html" + ("#delete-provider-form" if request.htmx else "")
    return render(request, template, {"identity": identity, "provider": provider, "form": form})
