"""Course screens: instructors' courses, roster, assignments, gradebook and regrades; students' assignments,
joining by invite link, and Submit on the lab page."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING, HttpResponseClientRedirect, retarget, trigger_client_event

from console.http import HtmxHttpRequest
from labs import selectors
from labs import selectors_courses as reads
from labs.forms import AssignmentForm, CourseForm, RosterImportForm
from labs.services import courses, gradebook, lab_clock
from labs.services.lab_start import LabStartRefused, lab_reset, lab_start

View = Callable[..., HttpResponse]


def instructor_required(view: View) -> View:
    """Signed in (else the sign-in page) and an instructor (else 403)."""

    @wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not reads.user_is_instructor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _partial(request: HtmxHttpRequest, template: str, partial: str) -> str:
    return f"{template}#{partial}" if request.htmx else template


# --- instructor: courses and roster -----------------------------------------------------------------------------


@require_GET
@instructor_required
def course_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "labs/courses/course_list.html", {"courses": reads.course_list(instructor=request.user)})


@require_http_methods(["GET", "POST"])
@instructor_required
def course_create(request: HtmxHttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        template = _partial(request, "labs/courses/course_form.html", "course-form")
        return render(request, template, {"form": form})
    course = courses.course_create(instructor=request.user, **form.cleaned_data)
    messages.success(request, _("Course %(title)s created.") % {"title": course.title})
    return _redirect(request, reverse("labs:course-detail", args=[course.pk]))


@require_GET
@instructor_required
def course_detail(request: HtmxHttpRequest, course_id: int) -> HttpResponse:
    page = reads.course_page(instructor=request.user, course_id=course_id)
    return render(request, "labs/courses/course_detail.html", {"page": page, "form": RosterImportForm()})


@require_POST
@instructor_required
def roster_import(request: HtmxHttpRequest, course_id: int) -> HttpResponse:
    """Enrol the users a CSV names; the roster comes back with a line-by-line report."""
    course = reads.course_get(instructor=request.user, course_id=course_id)
    form, report = RosterImportForm(request.POST, request.FILES), None
    if form.is_valid():
        try:
            report = courses.roster_import(course=course, data=form.cleaned_data["csv_file"].read())
        except courses.CourseError as error:
            form.add_error("csv_file", error.message)
    page = reads.course_page(instructor=request.user, course_id=course_id)
    template = _partial(request, "labs/courses/course_detail.html", "roster")
    return render(request, template, {"page": page, "form": form, "report": report})


@require_POST
@instructor_required
def invite_reset(request: HtmxHttpRequest, course_id: int) -> HttpResponse:
    courses.course_invite_reset(course=reads.course_get(instructor=request.user, course_id=course_id))
    messages.success(request, _("A new invite link was made; the old one no longer works."))
    return redirect("labs:course-detail", course_id=course_id)


# --- instructor: assignments and regrades -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@instructor_required
def assignment_create(request: HtmxHttpRequest, course_id: int) -> HttpResponse:
    course = reads.course_get(instructor=request.user, course_id=course_id)
    form = AssignmentForm(request.POST or None, instructor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = courses.assignment_create(course=course, settings=form.settings())
        except courses.CourseError as error:
            form.add_error(None, error.message)
        else:
            return _redirect(request, reverse("labs:assignment-detail", args=[course.pk, assignment.pk]))
    template = _partial(request, "labs/courses/assignment_form.html", "assignment-form")
    return render(request, template, {"course": course, "form": form, "assignment": None})


@require_http_methods(["GET", "POST"])
@instructor_required
def assignment_edit(request: HtmxHttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    assignment = reads.assignment_get(instructor=request.user, course_id=course_id, assignment_id=assignment_id)
    if request.method == "POST":
        form = AssignmentForm(request.POST, instructor=request.user)
    else:
        form = AssignmentForm.for_assignment(assignment)
    if request.method == "POST" and form.is_valid():
        try:
            courses.assignment_update(assignment=assignment, settings=form.settings())
        except courses.CourseError as error:
            form.add_error(None, error.message)
        else:
            return _redirect(request, reverse("labs:assignment-detail", args=[course_id, assignment_id]))
    template = _partial(request, "labs/courses/assignment_form.html", "assignment-form")
    return render(request, template, {"course": assignment.course, "form": form, "assignment": assignment})


@require_GET
@instructor_required
def assignment_detail(request: HtmxHttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    page = reads.assignment_page(instructor=request.user, course_id=course_id, assignment_id=assignment_id,
                                 language=get_language())
    return render(request, "labs/courses/assignment_detail.html", {"page": page, "progress": page.regrade})


@require_POST
@instructor_required
def assignment_regrade(request: HtmxHttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    """Start "Regrade all"; htmx gets the progress bar, which then polls itself."""
    assignment = reads.assignment_get(instructor=request.user, course_id=course_id, assignment_id=assignment_id)
    run = gradebook.regrade_start(assignment=assignment, requested_by=request.user)
    if not request.htmx:
        return redirect("labs:assignment-detail", course_id=course_id, assignment_id=assignment_id)
    progress = reads.regrade_progress(instructor=request.user, run_id=run.pk)
    return render(request, "labs/courses/assignment_detail.html#regrade-progress", {"progress": progress})


@require_GET
@instructor_required
@vary_on_headers("HX-Request")
def regrade_progress(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    progress = reads.regrade_progress(instructor=request.user, run_id=run_id)
    if not request.htmx:
        assignment = progress.run.assignment
        return redirect("labs:assignment-detail", course_id=assignment.course_id, assignment_id=assignment.pk)
    # 286 tells htmx to stop polling once the run is finished.
    status = HTMX_STOP_POLLING if progress.finished else 200
    return render(request, "labs/courses/assignment_detail.html#regrade-progress", {"progress": progress},
                  status=status)


# --- instructor: gradebook --------------------------------------------------------------------------------------


@require_GET
@instructor_required
def gradebook_page(request: HtmxHttpRequest, course_id: int) -> HttpResponse:
    book = reads.gradebook(instructor=request.user, course_id=course_id, language=get_language())
    return render(request, "labs/courses/gradebook.html", {"book": book})


@require_GET
@instructor_required
def gradebook_csv(request: HtmxHttpRequest, course_id: int) -> HttpResponse:
    book = reads.gradebook(instructor=request.user, course_id=course_id, language=get_language())
    response = HttpResponse(reads.gradebook_csv(book), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{book.course.slug}-gradebook.csv"'
    return response


@require_GET
@instructor_required
def gradebook_student(request: HtmxHttpRequest, course_id: int, student_id: int) -> HttpResponse:
    grades = reads.gradebook_student(instructor=request.user, course_id=course_id, student_id=student_id,
                                     language=get_language())
    clock = lab_clock.student_clock_panel(instructor=request.user, course_id=course_id, student_id=student_id)
    return render(request, "labs/courses/gradebook_student.html", {
        "grades": grades, "clock": clock,
        "clock_action": reverse("labs:student-clock", args=[course_id, student_id]),
    })


@require_POST
@instructor_required
def student_clock(request: HtmxHttpRequest, course_id: int, student_id: int) -> HttpResponse:
    """Move one student's sandbox clock forward (or back to real time) so they can watch credentials expire."""
    page = reverse("labs:gradebook-student", args=[course_id, student_id])
    error = ""
    try:
        clock = lab_clock.student_clock_change(instructor=request.user, course_id=course_id, student_id=student_id,
                                               seconds=lab_clock.requested_step(request.POST))
    except lab_clock.ClockRefused as refused:
        if not request.htmx:
            messages.error(request, refused.message)
            return redirect(page)
        clock = lab_clock.student_clock_panel(instructor=request.user, course_id=course_id, student_id=student_id)
        error = refused.message
    if not request.htmx:
        return redirect(page)
    action = reverse("labs:student-clock", args=[course_id, student_id])
    return render(request, "labs/_clock.html", {"clock": clock, "clock_error": error, "clock_action": action,
                                                "clock_next": page})


# --- students ---------------------------------------------------------------------------------------------------


@require_GET
@login_required
def my_assignments(request: HtmxHttpRequest) -> HttpResponse:
    courses_ = reads.my_assignments(student=request.user, language=get_language())
    return render(request, "labs/courses/my_assignments.html", {"courses": courses_})


@require_http_methods(["GET", "POST"])
@login_required
def course_join(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The invite link: a page that asks to join, and the POST that enrols the signed-in user."""
    course = reads.course_for_invite(code=code)
    if request.method == "GET":
        return render(request, "labs/courses/join.html", {"course": course})
    try:
        joined = courses.course_join(student=request.user, course=course)
    except courses.CourseError as error:
        messages.error(request, error.message)
        return redirect("labs:course-join", code=code)
    done = _("You joined %(title)s.") if joined else _("You are already enrolled in %(title)s.")
    messages.success(request, done % {"title": course.title})
    return redirect("labs:my-assignments")


def _assignment_lab_context(request: HtmxHttpRequest, assignment_id: int) -> dict[str, Any]:
    lab_page = reads.assignment_lab_page(student=request.user, assignment_id=assignment_id, language=get_language())
    return {"page": lab_page.page, "view": lab_page.view, "assignment": lab_page.status, "submits": lab_page.submits}


@require_GET
@login_required
@vary_on_headers("HX-Request", "HX-Target")
def assignment_lab(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    """The lab page opened from an assignment: Submit sits next to Check my progress."""
    partial = "assignment-submits" if request.htmx.target == "assignment-submits" else "assignment-submit"
    template = _partial(request, "labs/detail.html", partial)
    return render(request, template, _assignment_lab_context(request, assignment_id))


@require_POST
@login_required
def assignment_submit(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = reads.student_assignment_get(student=request.user, assignment_id=assignment_id)
    try:
        submission = courses.assignment_submit(student=request.user, assignment=assignment)
    except courses.SubmitRefused as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect("labs:assignment-lab", assignment_id=assignment_id)
        context = {**_assignment_lab_context(request, assignment_id), "submit_error": error.message}
        return retarget(render(request, "labs/detail.html#assignment-submit", context), "#assignment-submit")
    if not request.htmx:
        return redirect("labs:assignment-lab", assignment_id=assignment_id)
    view = selectors.submission_view(user=request.user, submission_id=submission.pk, language=get_language())
    response = render(request, "labs/detail.html#submission-status", {"view": view})
    # The submit panel listens for this event and reloads itself (attempts left, the new submit in the list).
    return trigger_client_event(response, "assignment-submitted")


@require_POST
@login_required
def assignment_lab_start(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = reads.student_assignment_get(student=request.user, assignment_id=assignment_id)
    try:
        lab_start(student=request.user, lab=assignment.lab)
    except LabStartRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The lab is ready in your sandbox."))
    return redirect("labs:assignment-lab", assignment_id=assignment_id)


@require_POST
@login_required
def assignment_lab_reset(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = reads.student_assignment_get(student=request.user, assignment_id=assignment_id)
    lab_reset(student=request.user, lab=assignment.lab)
    messages.success(request, _("Your sandbox is back at the start of this lab."))
    return redirect("labs:assignment-lab", assignment_id=assignment_id)
