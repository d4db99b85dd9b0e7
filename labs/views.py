"""Lab screens: the list, a lab with "Check my progress" and its checks' hints, and the live grading status."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING

from console.http import HtmxHttpRequest
from labs import selectors
from labs.models import Lab
from labs.services import hints
from labs.services.lab_clock import ClockPanel, ClockRefused, lab_clock_change, lab_clock_panel, requested_step
from labs.services.lab_start import LabStartRefused
from labs.services.lab_start import lab_reset as reset
from labs.services.lab_start import lab_start as start
from labs.services.submissions import submission_create as create


@require_GET
@login_required
def lab_list(request: HtmxHttpRequest) -> HttpResponse:
    courses, labs = selectors.lab_list(user=request.user)
    return render(request, "labs/list.html", {"courses": courses, "labs": labs, "language": get_language()})


def _visible_lab(request: HtmxHttpRequest, slug: str) -> Lab:
    return get_object_or_404(selectors.labs_visible(user=request.user), slug=slug)


@require_GET
@login_required
def lab_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    page = selectors.lab_page(user=request.user, slug=slug, language=get_language())
    view = None
    if page.latest is not None:
        view = selectors.submission_view(user=request.user, submission_id=page.latest.pk, language=get_language())
    return render(request, "labs/detail.html", {"page": page, "view": view})


@require_POST
@login_required
def lab_start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Apply the lab's setup (the accounts and resources it provides) to the learner's sandbox."""
    try:
        start(student=request.user, lab=_visible_lab(request, slug))
    except LabStartRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The lab is ready in your sandbox."))
    return redirect("labs:lab-detail", slug=slug)


@require_POST
@login_required
def lab_reset(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Put the learner's sandbox back to this lab's start (their whole sandbox is reset)."""
    reset(student=request.user, lab=_visible_lab(request, slug))
    messages.success(request, _("Your sandbox is back at the start of this lab."))
    return redirect("labs:lab-detail", slug=slug)


def _back_to(request: HtmxHttpRequest, slug: str) -> str:
    """The page the form was on (the lab, or the lab opened from an assignment): only ever a URL of this site."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return str(reverse("labs:lab-detail", args=[slug]))


@require_POST
@login_required
def hint_reveal(request: HtmxHttpRequest, slug: str, check_id: str) -> HttpResponse:
    """Reveal a check's hint (its penalty applies to grades from now on); htmx swaps just that hint's block."""
    lab = _visible_lab(request, slug)
    try:
        hints.hint_reveal(student=request.user, lab=lab, check_id=check_id)
    except hints.HintRefused as error:
        raise Http404(error.message) from error
    if not request.htmx:
        return redirect(_back_to(request, slug))
    hint = hints.hint_get(student=request.user, lab=lab, check_id=check_id, language=get_language())
    return render(request, "labs/detail.html#check-hint", {"hint": hint, "page": {"lab": lab}})


@require_POST
@login_required
def lab_clock(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Fast-forward the learner's sandbox clock by one of the lab's steps, or return it to real time."""
    lab = _visible_lab(request, slug)
    error = ""
    panel: ClockPanel | None
    try:
        panel = lab_clock_change(student=request.user, lab=lab, seconds=requested_step(request.POST))
    except ClockRefused as refused:
        if not request.htmx:
            messages.error(request, refused.message)
            return redirect(_back_to(request, slug))
        panel, error = lab_clock_panel(student=request.user, lab=lab), refused.message
    if not request.htmx:
        return redirect(_back_to(request, slug))
    # The top bar's "Sandbox clock +..." badge is the learner's own clock: updated out of band.
    return render(request, "labs/_clock.html", {"clock": panel, "clock_error": error, "clock_oob": True,
                                                "clock_next": _back_to(request, slug),
                                                "clock_action": reverse("labs:lab-clock", args=[slug])})


@require_POST
@login_required
def submission_create(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    submission = create(student=request.user, lab=_visible_lab(request, slug))
    if not request.htmx:
        return redirect("labs:lab-detail", slug=slug)
    view = selectors.submission_view(user=request.user, submission_id=submission.pk, language=get_language())
    return render(request, "labs/detail.html#submission-status", {"view": view})


@require_GET
@login_required
@vary_on_headers("HX-Request")
def submission_status(request: HtmxHttpRequest, submission_id: int) -> HttpResponse:
    view = selectors.submission_view(user=request.user, submission_id=submission_id, language=get_language())
    if not request.htmx:
        return redirect("labs:lab-detail", slug=view.submission.lab.slug)
    # 286 tells htmx to stop polling once the submission reached a final state.
    status = HTMX_STOP_POLLING if view.submission.is_final else 200
    return render(request, "labs/detail.html#submission-status", {"view": view}, status=status)
