"""Courses (writes): the instructor role, courses, the roster (invite link, CSV import), assignments and submits."""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from kombu.exceptions import OperationalError as BrokerUnavailable

from labs.models import INSTRUCTORS_GROUP, Assignment, Course, Enrollment, Lab, Submission, new_invite_code
from sandbox.errors import ApplicationError

logger = logging.getLogger(__name__)

LAB_ALREADY_ASSIGNED = _("this lab is already an assignment of the course")
LAB_NOT_PUBLISHED = _("only published labs can be assigned")
DUE_BEFORE_OPEN = _("the due date must come after the opening date")
HIDDEN_NEEDS_DUE = _("scores can be hidden until the due date only when the assignment has a due date")
NOT_OPEN = _("this assignment opens on %(date)s: you can submit from then on")
ATTEMPTS_USED = ngettext_lazy(
    "you have used your only attempt for this assignment",
    "you have used all %(attempts)d attempts for this assignment",
    "attempts",
)
NOT_ENROLLED = _("you are not enrolled in the course of this assignment")
INSTRUCTOR_CANNOT_JOIN = _("you teach this course, so you cannot join it as a student")
ROSTER_NOT_TEXT = _("the file is not UTF-8 text: save it as CSV (UTF-8) and upload it again")
ROSTER_TOO_LONG = _("the file has more than %(lines)d lines: split it and upload the parts one by one")

ROSTER_MAX_LINES = 5000
ROSTER_HEADERS = frozenset({"username", "user", "email", "e-mail", "login", "student"})


class CourseError(ApplicationError):
    """A course rule refused the action; the message is for the person who tried."""


class SubmitRefused(CourseError):
    """A submit that the assignment does not accept (not open yet, attempts used, not enrolled)."""


def instructor_grant(*, user: User) -> None:
    """Make `user` an instructor (a member of the `instructors` group)."""
    group, _created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    user.groups.add(group)


# --- courses ---------------------------------------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "course"
    slug, number = base, 1
    while Course.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def course_create(*, instructor: User, title: str, description: str = "") -> Course:
    return Course.objects.create(slug=_unique_slug(title), title=title, description=description,
                                 instructor=instructor)


def course_invite_reset(*, course: Course) -> Course:
    """A new invite link; the old one stops working (students already enrolled stay)."""
    course.invite_code = new_invite_code()
    course.save(update_fields=["invite_code"])
    return course


def course_join(*, student: User, course: Course) -> bool:
    """Enrol `student` in `course` from its invite link; False when they already were."""
    if course.instructor_id == student.pk:
        raise CourseError(str(INSTRUCTOR_CANNOT_JOIN))
    _enrollment, created = Enrollment.objects.get_or_create(course=course, student=student)
    return created


# --- roster import ----------------------------------------------------------------------------------------------


class RosterOutcome(StrEnum):
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    INSTRUCTOR = "instructor"


@dataclass(frozen=True, slots=True)
class RosterLine:
    number: int
    value: str
    outcome: RosterOutcome
    username: str = ""

    @property
    def is_problem(self) -> bool:
        return self.outcome in (RosterOutcome.UNKNOWN, RosterOutcome.AMBIGUOUS, RosterOutcome.INSTRUCTOR)


@dataclass(frozen=True, slots=True)
class RosterReport:
    lines: tuple[RosterLine, ...]

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def enrolled(self) -> int:
        return self.count(RosterOutcome.ENROLLED)

    @property
    def already_enrolled(self) -> int:
        return self.count(RosterOutcome.ALREADY_ENROLLED)

    @property
    def problems(self) -> tuple[RosterLine, ...]:
        return tuple(line for line in self.lines if line.is_problem)


def roster_rows(data: bytes) -> list[tuple[int, str]]:
    """(line number, first non-empty cell) of every CSV row that names someone; a header row is skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CourseError(str(ROSTER_NOT_TEXT)) from exc
    rows: list[tuple[int, str]] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        value = next((cell.strip() for cell in cells if cell.strip()), "")
        if not value or (not rows and value.lower() in ROSTER_HEADERS):
            continue
        rows.append((number, value))
        if len(rows) > ROSTER_MAX_LINES:
            raise CourseError(str(ROSTER_TOO_LONG % {"lines": ROSTER_MAX_LINES}))
    return rows


def _find_user(value: str) -> tuple[User | None, bool]:
    """The user a roster cell names (username first, then email); the bool says the email was ambiguous."""
    by_name = User.objects.filter(username__iexact=value, is_active=True)
    exact = by_name.filter(username=value).first() or (by_name.first() if by_name.count() == 1 else None)
    if exact is not None:
        return exact, False
    if "@" not in value:
        return None, False
    by_email = list(User.objects.filter(email__iexact=value, is_active=True)[:2])
    if len(by_email) > 1:
        return None, True
    return (by_email[0] if by_email else None), False


def roster_import(*, course: Course, data: bytes) -> RosterReport:
    """Enrol the existing users a CSV names (a username or an email per line) and report every line."""
    lines: list[RosterLine] = []
    with transaction.atomic():
        for number, value in roster_rows(data):
            user, ambiguous = _find_user(value)
            if user is None:
                outcome = RosterOutcome.AMBIGUOUS if ambiguous else RosterOutcome.UNKNOWN
                lines.append(RosterLine(number=number, value=value, outcome=outcome))
                continue
            if user.pk == course.instructor_id:
                lines.append(RosterLine(number, value, RosterOutcome.INSTRUCTOR, user.username))
                continue
            _enrollment, created = Enrollment.objects.get_or_create(course=course, student=user)
            outcome = RosterOutcome.ENROLLED if created else RosterOutcome.ALREADY_ENROLLED
            lines.append(RosterLine(number, value, outcome, user.username))
    return RosterReport(lines=tuple(lines))


# --- assignments ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssignmentSettings:
    lab: Lab
    opens_at: datetime | None
    due_at: datetime | None
    attempts: int
    late_penalty: int
    hide_scores_until_due: bool


def _validate(*, course: Course, settings: AssignmentSettings, assignment: Assignment | None) -> None:
    if not settings.lab.published:
        raise CourseError(str(LAB_NOT_PUBLISHED))
    if settings.opens_at and settings.due_at and settings.due_at <= settings.opens_at:
        raise CourseError(str(DUE_BEFORE_OPEN))
    if settings.hide_scores_until_due and settings.due_at is None:
        raise CourseError(str(HIDDEN_NEEDS_DUE))
    taken = Assignment.objects.filter(course=course, lab=settings.lab)
    if assignment is not None:
        taken = taken.exclude(pk=assignment.pk)
    if taken.exists():
        raise CourseError(str(LAB_ALREADY_ASSIGNED))


def _apply(assignment: Assignment, settings: AssignmentSettings) -> None:
    assignment.lab = settings.lab
    assignment.opens_at, assignment.due_at = settings.opens_at, settings.due_at
    assignment.attempts, assignment.late_penalty = settings.attempts, settings.late_penalty
    assignment.hide_scores_until_due = settings.hide_scores_until_due


def assignment_create(*, course: Course, settings: AssignmentSettings) -> Assignment:
    _validate(course=course, settings=settings, assignment=None)
    last = course.assignments.aggregate(last=Max("position"))["last"]
    assignment = Assignment(course=course, position=0 if last is None else last + 1)
    _apply(assignment, settings)
    assignment.save()
    return assignment


def assignment_update(*, assignment: Assignment, settings: AssignmentSettings) -> Assignment:
    """Change an assignment; submits already made keep their place (a changed lab applies to new ones)."""
    _validate(course=assignment.course, settings=settings, assignment=assignment)
    _apply(assignment, settings)
    assignment.save()
    return assignment


# --- submits ----------------------------------------------------------------------------------------------------


def attempts_used(*, student: User | int, assignment: Assignment) -> int:
    """Submits that count: queued, grading or graded (not gradable and errors give the attempt back)."""
    return Submission.objects.filter(
        student=student, assignment=assignment, kind=Submission.Kind.SUBMIT, status__in=Submission.COUNTED
    ).count()


def _enqueue(submission_id: int) -> None:
    """Send the grading task; if the broker is down the submit stays queued and a later click sends it again."""
    from labs.tasks import submission_grade_task

    try:
        submission_grade_task.delay(submission_id)
    except BrokerUnavailable:
        logger.warning("broker unavailable: submit %s stays queued", submission_id, exc_info=True)


def assignment_submit(*, student: User, assignment: Assignment, now: datetime | None = None) -> Submission:
    """Submit the learner's sandbox for `assignment`: counted against its attempts and recorded for the gradebook.

    Refused (SubmitRefused) before the assignment opens and once the attempts are used. While a submit is still
    pending it is returned instead of a new one (and re-sent if it waited a minute, like "Check my progress").
    """
    from labs.services.submissions import REQUEUE_AFTER

    now = now or timezone.now()
    with transaction.atomic():
        # The enrollment row lock serialises one learner's submits, so two clicks cannot both take the last attempt.
        enrollment = (Enrollment.objects.select_for_update()
                      .filter(course_id=assignment.course_id, student=student).first())
        if enrollment is None:
            raise SubmitRefused(str(NOT_ENROLLED))
        pending = (Submission.objects.filter(student=student, assignment=assignment, kind=Submission.Kind.SUBMIT)
                   .exclude(status__in=Submission.FINAL).first())
        if pending is not None:
            if pending.status == Submission.Status.QUEUED and now - pending.created_at > REQUEUE_AFTER:
                transaction.on_commit(lambda: _enqueue(pending.pk))
            return pending
        if not assignment.is_open(now):
            assert assignment.opens_at is not None  # noqa: S101 - is_open is False only with an opening date
            date = formats.date_format(timezone.localtime(assignment.opens_at), "DATETIME_FORMAT")
            raise SubmitRefused(str(NOT_OPEN % {"date": date}))
        if assignment.attempts and attempts_used(student=student, assignment=assignment) >= assignment.attempts:
            raise SubmitRefused(str(ATTEMPTS_USED % {"attempts": assignment.attempts}))
        submission = Submission.objects.create(
            student=student, lab=assignment.lab, assignment=assignment, kind=Submission.Kind.SUBMIT
        )
        transaction.on_commit(lambda: _enqueue(submission.pk))
        return submission

