"""Authoring screens: an instructor's labs, the form + YAML/JSON editor, preview, self-test, publish, bundles."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING, trigger_client_event

from console.http import HtmxHttpRequest
from labs.forms_authoring import BundleImportForm, LabForm
from labs.models import Lab
from labs.services import authoring, authoring_bundle, authoring_selftest
from labs.services import authoring_selectors as reads
from labs.views_courses import instructor_required

EDIT = "labs/authoring/edit.html"


def _partial(request: HtmxHttpRequest, template: str, partial: str) -> str:
    return f"{template}#{partial}" if request.htmx else template


def _edit_context(request: HtmxHttpRequest, lab_id: int | None, form: LabForm, **extra: Any) -> dict[str, Any]:
    page = reads.authoring_page(author=request.user, lab_id=lab_id) if lab_id is not None else None
    if lab_id is None:
        urls = {"save": reverse("labs:authoring-create"), "check": reverse("labs:authoring-check-new"),
                "convert": reverse("labs:authoring-convert-new")}
    else:
        urls = {name: reverse(f"labs:authoring-{name}", args=[lab_id]) for name in ("edit", "check", "convert")}
        urls["save"] = urls.pop("edit")
    return {"page": page, "lab": page.lab if page else None, "form": form, "urls": urls, **extra}


def _edit_url(lab: Lab, form: LabForm) -> str:
    url = reverse("labs:authoring-edit", args=[lab.pk])
    return f"{url}?format=json" if form.cleaned_data.get("text_format") == "json" else url


def _list(request: HtmxHttpRequest, import_form: BundleImportForm) -> HttpResponse:
    context = {"labs": reads.authoring_list(author=request.user), "import_form": import_form,
               "language": get_language()}
    return render(request, "labs/authoring/list.html", context)


@require_GET
@instructor_required
def authoring_list(request: HtmxHttpRequest) -> HttpResponse:
    return _list(request, BundleImportForm())


@require_http_methods(["GET", "POST"])
@instructor_required
def authoring_create(request: HtmxHttpRequest) -> HttpResponse:
    form = LabForm(request.POST) if request.method == "POST" else LabForm.blank()
    if request.method == "POST" and form.is_valid():
        try:
            lab = authoring.lab_create(author=request.user, draft=form.draft())
        except authoring.AuthoringError as error:
            form.add_problems(error.problems)
        else:
            messages.success(request, _("Lab %(slug)s created (version 1). Run the self-test to publish it.")
                             % {"slug": lab.slug})
            return redirect(_edit_url(lab, form))
    return render(request, EDIT, _edit_context(request, None, form))


@require_http_methods(["GET", "POST"])
@instructor_required
def authoring_edit(request: HtmxHttpRequest, lab_id: int) -> HttpResponse:
    lab = reads.authoring_lab_get(author=request.user, lab_id=lab_id)
    if request.method == "GET":
        form = LabForm.for_lab(lab, "json" if request.GET.get("format") == "json" else "yaml")
        return render(request, EDIT, _edit_context(request, lab_id, form))
    form = LabForm(request.POST)
    if form.is_valid():
        try:
            saved = authoring.lab_update(lab=lab, author=request.user, draft=form.draft(),
                                         base_version=form.cleaned_data["base_version"])
        except authoring.AuthoringError as error:
            form.add_problems(error.problems)
        else:
            done = _("Saved as version %(version)d: the lab is unpublished until it passes the self-test again.") \
                if saved.version != lab.version else _("Nothing changed: still version %(version)d.")
            messages.success(request, done % {"version": saved.version})
            return redirect(_edit_url(saved, form))
    return render(request, EDIT, _edit_context(request, lab_id, form))


@require_POST
@instructor_required
def authoring_check(request: HtmxHttpRequest, lab_id: int | None = None) -> HttpResponse:
    """Validate the form and editor as the lab format does, without saving (htmx: the check panel only)."""
    lab = reads.authoring_lab_get(author=request.user, lab_id=lab_id) if lab_id is not None else None
    form = LabForm(request.POST)
    if form.is_valid():
        form.add_problems(authoring.lab_draft_problems(draft=form.draft(), lab=lab))
    template = _partial(request, EDIT, "editor-check")
    return render(request, template, _edit_context(request, lab_id, form, checked=True))


@require_POST
@instructor_required
def authoring_convert(request: HtmxHttpRequest, lab_id: int | None = None) -> HttpResponse:
    """The editor's text in the chosen format (htmx: the editor block only); unreadable text is kept as it is."""
    context = _edit_context(request, lab_id, LabForm())  # another instructor's lab is a 404 before any work
    form = LabForm(request.POST).converted()
    response = render(request, _partial(request, EDIT, "lab-editor"), {**context, "form": form})
    # The check panel listens for this and checks again, so its line numbers match the converted text.
    return trigger_client_event(response, "editor-converted") if request.htmx else response


@require_GET
@instructor_required
def authoring_preview(request: HtmxHttpRequest, lab_id: int) -> HttpResponse:
    """The student's lab page for this lab, published or not, with a Preview banner (the author only)."""
    preview = reads.lab_preview(author=request.user, lab_id=lab_id, language=get_language())
    return render(request, "labs/detail.html", {"page": preview.page, "view": None, "preview": preview})


@require_POST
@instructor_required
def authoring_duplicate(request: HtmxHttpRequest, lab_id: int) -> HttpResponse:
    copy = authoring.lab_duplicate(lab=reads.authoring_source_get(author=request.user, lab_id=lab_id),
                                   author=request.user)
    messages.success(request, _("Copied as %(slug)s: a new lab of yours (new uuid, version 1), not published.")
                     % {"slug": copy.slug})
    return redirect("labs:authoring-edit", lab_id=copy.pk)


@require_GET
@instructor_required
def authoring_export(request: HtmxHttpRequest, lab_id: int) -> HttpResponse:
    lab = reads.authoring_source_get(author=request.user, lab_id=lab_id)
    response = HttpResponse(authoring_bundle.lab_bundle_export(lab=lab), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{authoring_bundle.lab_bundle_name(lab)}"'
    return response


@require_POST
@instructor_required
def authoring_import(request: HtmxHttpRequest) -> HttpResponse:
    form = BundleImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = authoring_bundle.lab_bundle_import(author=request.user, data=form.cleaned_data["bundle"].read(),
                                                        slug=form.cleaned_data["slug"])
        except authoring.AuthoringError as error:
            for problem in error.problems:
                form.add_error("bundle", problem.message)
        else:
            messages.success(request, _import_message(result) % {"slug": result.lab.slug,
                                                                 "version": result.lab.version})
            return redirect("labs:authoring-edit", lab_id=result.lab.pk)
    return _list(request, form)


def _import_message(result: authoring_bundle.BundleImport) -> str:
    if result.new_uuid:
        return _("Imported as a new lab %(slug)s (the bundle's uuid belongs to another instructor's lab).")
    if result.created:
        return _("Imported %(slug)s as a new lab (version %(version)d), not published.")
    return _("Updated %(slug)s from the bundle: now version %(version)d, not published until it passes the self-test.")


@require_POST
@instructor_required
def authoring_selftest_start(request: HtmxHttpRequest, lab_id: int) -> HttpResponse:
    """Queue the publish gate for the current version and open its progress page."""
    run = authoring_selftest.lab_selftest_start(lab=reads.authoring_lab_get(author=request.user, lab_id=lab_id),
                                                requested_by=request.user)
    return redirect("labs:authoring-selftest-progress", run_id=run.pk)


@require_GET
@instructor_required
@vary_on_headers("HX-Request")
def authoring_selftest_progress(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    progress = reads.selftest_progress(author=request.user, run_id=run_id)
    template = _partial(request, "labs/authoring/selftest.html", "selftest-progress")
    # 286 tells htmx to stop polling once the run is final.
    status = HTMX_STOP_POLLING if request.htmx and progress.finished else 200
    return render(request, template, {"progress": progress, "lab": progress.lab}, status=status)


@require_POST
@instructor_required
def authoring_publish(request: HtmxHttpRequest, lab_id: int) -> HttpResponse:
    try:
        lab = authoring.lab_publish(lab=reads.authoring_lab_get(author=request.user, lab_id=lab_id),
                                    author=request.user)
    except authoring.AuthoringError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(slug)s version %(version)d is published: students can open it, and you can "
                                    "assign it in your courses.") % {"slug": lab.slug, "version": lab.version})
    return redirect("labs:authoring-edit", lab_id=lab_id)


@require_POST
@instructor_required
def authoring_unpublish(request: HtmxHttpRequest, lab_id: int) -> HttpResponse:
    lab = authoring.lab_unpublish(lab=reads.authoring_lab_get(author=request.user, lab_id=lab_id),
                                  author=request.user)
    messages.success(request, _("%(slug)s is unpublished: students no longer see it.") % {"slug": lab.slug})
    return redirect("labs:authoring-edit", lab_id=lab_id)
