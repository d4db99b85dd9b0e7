"""Authoring reads: an instructor's own labs (nobody else's), built-in labs to copy, self-test progress, previews."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from labs.models import Lab, LabSelftestRun
from labs.selectors import LabPage, lab_title, render_brief
from labs.services.authoring_selftest import lab_selftest_stalled
from labs.services.lab_runner import learner_variables
from sandbox.models import Sandbox


@dataclass(frozen=True, slots=True)
class AuthoringList:
    own: QuerySet[Lab]
    builtin: QuerySet[Lab]


def authoring_list(*, author: User) -> AuthoringList:
    own = Lab.objects.filter(source=Lab.Source.INSTRUCTOR, author=author).order_by("-updated_at", "slug")
    return AuthoringList(own=own, builtin=Lab.objects.filter(source=Lab.Source.BUILTIN).order_by("slug"))


def authoring_lab_get(*, author: User, lab_id: int) -> Lab:
    """One of the author's own labs; a built-in lab or another instructor's is a 404."""
    return get_object_or_404(Lab, pk=lab_id, source=Lab.Source.INSTRUCTOR, author=author)


def authoring_source_get(*, author: User, lab_id: int) -> Lab:
    """A lab the author may export or duplicate: a built-in one or their own (another instructor's is a 404)."""
    mine_or_builtin = Q(source=Lab.Source.BUILTIN) | Q(source=Lab.Source.INSTRUCTOR, author=author)
    return get_object_or_404(Lab.objects.filter(mine_or_builtin), pk=lab_id)


@dataclass(frozen=True, slots=True)
class SelftestProgress:
    run: LabSelftestRun
    lab: Lab
    stalled: bool
    current: bool  # the run tested the lab's current version

    @property
    def finished(self) -> bool:
        return self.run.is_final or self.stalled

    @property
    def result(self) -> dict[str, Any]:
        return self.run.result or {}

    @property
    def mutants_total(self) -> int:
        return max(self.run.total - 2, 0)


def _progress(run: LabSelftestRun) -> SelftestProgress:
    return SelftestProgress(run=run, lab=run.lab, stalled=lab_selftest_stalled(run),
                            current=run.version == run.lab.version)


def selftest_progress(*, author: User, run_id: int) -> SelftestProgress:
    """A self-test run of one of the author's labs (anyone else's is a 404)."""
    run = get_object_or_404(LabSelftestRun.objects.select_related("lab"), pk=run_id,
                            lab__source=Lab.Source.INSTRUCTOR, lab__author=author)
    return _progress(run)


@dataclass(frozen=True, slots=True)
class AuthoringPage:
    lab: Lab
    latest_run: SelftestProgress | None  # the newest run for the current version
    courses: int  # courses that assign the lab (an edit hides it from their students until published again)


def authoring_page(*, author: User, lab_id: int) -> AuthoringPage:
    lab = get_object_or_404(Lab.objects.annotate(course_count=Count("assignments__course", distinct=True)),
                            pk=lab_id, source=Lab.Source.INSTRUCTOR, author=author)
    run = lab.selftest_runs.filter(version=lab.version).select_related("lab").first()
    return AuthoringPage(lab=lab, latest_run=_progress(run) if run else None,
                         courses=lab.course_count)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class PreviewCheck:
    id: str
    title: str
    points: float


@dataclass(frozen=True, slots=True)
class LabPreview:
    page: LabPage
    checks: tuple[PreviewCheck, ...]
    with_values: bool  # `{{ variables }}` show the author's own sandbox values


def lab_preview(*, author: User, lab_id: int, language: str) -> LabPreview:
    """The author's lab as a student sees it (published or not), with the brief in the author's sandbox values."""
    lab = authoring_lab_get(author=author, lab_id=lab_id)
    brief = lab.brief_ko if language == "ko" else lab.brief_en
    sandbox = Sandbox.objects.filter(owner=author).first()
    with_values = sandbox is not None and sandbox.accounts.exists()
    if sandbox is not None and with_values:
        brief = render_brief(brief, learner_variables(sandbox, lab.definition))
    html = nh3.clean(markdown.markdown(brief, extensions=["fenced_code"]))
    page = LabPage(lab=lab, title=lab_title(lab, language), brief_html=html, latest=None, needs_start=False)
    checks = tuple(PreviewCheck(id=check["id"], title=check["title"]["ko" if language == "ko" else "en"],
                                points=check["points"]) for check in lab.definition["checks"])
    return LabPreview(page=page, checks=checks, with_values=with_values)
