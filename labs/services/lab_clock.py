"""The teaching clock from a lab page and from an instructor's gradebook.

A lab may offer its learners fast-forward steps (`"clock": {"steps": [900, 3600]}` in lab.json) so that they can
watch a one-hour session expire, or the role-chaining limit bite, without waiting. Instructors can move the clock of
any student of their course. The clock only moves forward (or back to real time), and TOTP codes keep real time.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from labs.models import Course, Lab
from sandbox.clock import ClockError, clock_advance, clock_offset, clock_reset, duration_text, real_now
from sandbox.models import Sandbox

# What an instructor may add in one step (a learner gets only the steps their lab offers).
INSTRUCTOR_STEPS = (900, 3600, 4 * 3600, 12 * 3600, 24 * 3600)


class ClockRefused(Exception):
    """A clock change the page does not offer (a step the lab lacks, a student not in the course)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ClockStep:
    seconds: int
    text: str


@dataclass(frozen=True, slots=True)
class ClockPanel:
    """The sandbox's time, how far it runs ahead, and the steps this page may add."""

    now: datetime
    ahead_seconds: int
    ahead_text: str
    steps: tuple[ClockStep, ...]


def requested_step(form: Mapping[str, str]) -> int | None:
    """The step a clock form asks for, in seconds, or None for "back to real time"."""
    if "reset" in form:
        return None
    try:
        return int(form.get("seconds", ""))
    except ValueError:
        raise ClockRefused(_("Choose one of the steps offered.")) from None


def lab_clock_steps(definition: dict[str, Any]) -> tuple[int, ...]:
    clock = definition.get("clock") or {}
    return tuple(int(seconds) for seconds in clock.get("steps", ()))


def _panel(sandbox: Sandbox | None, steps: tuple[int, ...]) -> ClockPanel:
    ahead = int(clock_offset(sandbox).total_seconds()) if sandbox is not None else 0
    return ClockPanel(
        now=real_now() + timedelta(seconds=ahead), ahead_seconds=ahead, ahead_text=duration_text(ahead),
        steps=tuple(ClockStep(seconds, duration_text(seconds)) for seconds in steps),
    )


def lab_clock_panel(*, student: User, lab: Lab) -> ClockPanel | None:
    """The lab page's clock panel, or None for a lab that offers no clock."""
    steps = lab_clock_steps(lab.definition)
    if not steps:
        return None
    return _panel(Sandbox.objects.filter(owner=student).first(), steps)


def lab_clock_change(*, student: User, lab: Lab, seconds: int | None) -> ClockPanel:
    """Advance the learner's own clock by one of the lab's steps, or (`seconds=None`) return it to real time."""
    steps = lab_clock_steps(lab.definition)
    if not steps:
        raise ClockRefused(_("This lab has no teaching clock."))
    if seconds is not None and seconds not in steps:
        raise ClockRefused(_("This lab does not offer that step."))
    sandbox = Sandbox.objects.filter(owner=student).first()
    if sandbox is None:
        raise ClockRefused(_("Open the console once to create your sandbox first."))
    _change(sandbox, seconds)
    return _panel(sandbox, steps)


def student_clock_panel(*, instructor: User, course_id: int, student_id: int) -> ClockPanel:
    return _panel(_student_sandbox(instructor, course_id, student_id), INSTRUCTOR_STEPS)


def student_clock_change(*, instructor: User, course_id: int, student_id: int, seconds: int | None) -> ClockPanel:
    """An instructor moves the clock of one student of their course (forward by a step, or back to real time)."""
    if seconds is not None and seconds not in INSTRUCTOR_STEPS:
        raise ClockRefused(_("That step is not offered."))
    sandbox = _student_sandbox(instructor, course_id, student_id)
    if sandbox is None:
        raise ClockRefused(_("This student has no sandbox yet: it is created when they first open the console."))
    _change(sandbox, seconds)
    return _panel(sandbox, INSTRUCTOR_STEPS)


def _student_sandbox(instructor: User, course_id: int, student_id: int) -> Sandbox | None:
    """The sandbox of a student enrolled in a course `instructor` teaches; anyone else is a 404, as in the
    gradebook."""
    course = get_object_or_404(Course, pk=course_id, instructor=instructor)
    get_object_or_404(User, pk=student_id, enrollments__course=course)
    return Sandbox.objects.filter(owner_id=student_id).first()


def _change(sandbox: Sandbox, seconds: int | None) -> None:
    try:
        if seconds is None:
            clock_reset(sandbox)
        else:
            clock_advance(sandbox, seconds)
    except ClockError as error:
        raise ClockRefused(str(error)) from error
