"""Lab reads: the catalogue, a lab's page, a learner's own submissions (never anyone else's)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from labs.grading.result import json_summary
from labs.models import Course, Grade, Lab, Submission
from labs.services.grading import GRADER_VERSION
from labs.services.hints import HintView, hint_list
from labs.services.lab_clock import ClockPanel, lab_clock_panel
from labs.services.lab_runner import learner_variables
from labs.services.lab_start import lab_needs_start
from sandbox.models import Sandbox


@dataclass(frozen=True, slots=True)
class LabPage:
    lab: Lab
    title: str
    brief_html: str
    latest: Submission | None
    needs_start: bool = False
    hints: tuple[HintView, ...] = ()  # the checks' hints (their text once the learner revealed them)
    clock: ClockPanel | None = None  # the teaching clock, for a lab that offers fast-forward steps


@dataclass(frozen=True, slots=True)
class SubmissionView:
    submission: Submission
    result: dict[str, Any] | None
    summary: str
    language: str


def _localized(lab: Lab, language: str, field: str) -> str:
    return str(getattr(lab, f"{field}_ko" if language == "ko" else f"{field}_en"))


def lab_title(lab: Lab, language: str) -> str:
    return _localized(lab, language, "title")


def labs_visible(*, user: User) -> QuerySet[Lab]:
    """The labs a user may open: published built-in labs, published instructor labs set in one of their courses
    (as student or as its instructor) or written by them; staff see every lab."""
    if user.is_staff:
        return Lab.objects.all()
    in_my_courses = Q(assignments__course__enrollments__student=user) | Q(assignments__course__instructor=user)
    visible = Q(source=Lab.Source.BUILTIN) | Q(author=user) | in_my_courses
    ids = Lab.objects.filter(visible, published=True).values("pk")
    return Lab.objects.filter(pk__in=ids)


def lab_list(*, user: User) -> tuple[QuerySet[Course], QuerySet[Lab]]:
    """The courses the user is enrolled in (with their labs) and the catalogue they may open."""
    courses = Course.objects.filter(enrollments__student=user).prefetch_related(
        Prefetch("labs", queryset=Lab.objects.order_by("assignments__position"))
    )
    return courses, labs_visible(user=user)


def lab_page(*, user: User, slug: str, language: str) -> LabPage:
    """A lab the user may open (`labs_visible`) with the brief in the learner's values and the checks' hints."""
    lab = get_object_or_404(labs_visible(user=user), slug=slug)
    brief = _localized(lab, language, "brief")
    sandbox = Sandbox.objects.filter(owner=user).first()
    if sandbox is not None and sandbox.accounts.exists():
        brief = render_brief(brief, learner_variables(sandbox, lab.definition))
    html = markdown.markdown(brief, extensions=["fenced_code"])
    latest = Submission.objects.filter(student=user, lab=lab).first()
    return LabPage(lab=lab, title=lab_title(lab, language), brief_html=nh3.clean(html), latest=latest,
                   needs_start=lab_needs_start(student=user, lab=lab),
                   hints=hint_list(student=user, lab=lab, language=language),
                   clock=lab_clock_panel(student=user, lab=lab))


def render_brief(text: str, variables: dict[str, str]) -> str:
    """The brief with `{{ name }}` filled in; an unknown name stays as written (briefs may show template syntax)."""
    return re.sub(r"\{\{\s*([\w.-]+)\s*\}\}", lambda m: variables.get(m.group(1), m.group(0)), text)


def submission_view(*, user: User, submission_id: int, language: str) -> SubmissionView:
    """One of the user's own submissions with its grade; another user's id is a 404."""
    submission = get_object_or_404(Submission.objects.select_related("lab"), pk=submission_id, student=user)
    grade = Grade.objects.filter(submission=submission, grader_version=GRADER_VERSION).first()
    result = grade.result if grade else None
    summary = json_summary(result) if result else ""
    return SubmissionView(submission=submission, result=result, summary=summary, language=language)
