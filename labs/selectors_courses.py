"""Course reads: the instructor's courses (nobody else's), the gradebook, a student's own assignments and submits."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from labs import selectors
from labs.grading.result import json_summary
from labs.models import (
    INSTRUCTORS_GROUP,
    Assignment,
    Course,
    Enrollment,
    Grade,
    LabStart,
    RegradeItem,
    RegradeRun,
    Submission,
)
from labs.services.grading import GRADER_VERSION


def user_is_instructor(user: Any) -> bool:
    """Instructors are the members of the `instructors` group (and superusers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.groups.filter(name=INSTRUCTORS_GROUP).exists())


# --- scores -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmitScore:
    """One submit: its grade (the current grader's, else the newest), days late and score after the penalty."""

    submission: Submission
    number: int  # 1 for the first submit of this student for this assignment
    score: float | None  # 0..1 before the penalty; None until graded
    late_days: int
    adjusted: float | None
    result: dict[str, Any] | None
    summary: str  # "earned/possible" points

    @property
    def percent(self) -> float | None:
        return None if self.adjusted is None else round(self.adjusted * 100, 1)

    @property
    def raw_percent(self) -> float | None:
        return None if self.score is None else round(self.score * 100, 1)


def _grade_of(submission: Submission) -> Grade | None:
    grades = sorted(submission.grades.all(), key=lambda g: (g.grader_version == GRADER_VERSION, g.created_at, g.pk))
    return grades[-1] if grades else None


def submit_scores(assignment: Assignment, submits: Iterable[Submission]) -> tuple[SubmitScore, ...]:
    """Scores of one student's submits for `assignment` (grades prefetched), oldest first."""
    scores = []
    for number, submission in enumerate(sorted(submits, key=lambda s: (s.created_at, s.pk)), start=1):
        grade = _grade_of(submission) if submission.status == Submission.Status.GRADED else None
        late = assignment.late_days(submission.created_at)
        score = grade.score if grade else None
        adjusted = None if score is None else assignment.score_after_penalty(score, submission.created_at)
        result = grade.result if grade else None
        summary = json_summary(result) if result else ""
        scores.append(SubmitScore(submission=submission, number=number, score=score, late_days=late,
                                  adjusted=adjusted, result=result, summary=summary))
    return tuple(scores)


def best_score(scores: Iterable[SubmitScore]) -> SubmitScore | None:
    """The graded submit with the highest score after the penalty (the earliest among equals)."""
    graded = [s for s in scores if s.adjusted is not None]
    return max(graded, key=lambda s: (s.adjusted, -s.number)) if graded else None


def _submits(assignments: Iterable[Assignment], students: Iterable[User | int] | None = None) -> QuerySet[Submission]:
    query = Submission.objects.filter(assignment__in=list(assignments), kind=Submission.Kind.SUBMIT)
    if students is not None:
        query = query.filter(student__in=list(students))
    return query.select_related("lab").prefetch_related(Prefetch("grades", queryset=Grade.objects.order_by("pk")))


# --- instructor: courses ----------------------------------------------------------------------------------------


def course_list(*, instructor: User) -> QuerySet[Course]:
    return (Course.objects.filter(instructor=instructor)
            .annotate(student_count=Count("enrollments", distinct=True),
                      assignment_count=Count("assignments", distinct=True))
            .order_by("-created_at", "-id"))


def course_get(*, instructor: User, course_id: int) -> Course:
    """One of the instructor's own courses; anyone else's is a 404."""
    return get_object_or_404(Course, pk=course_id, instructor=instructor)


@dataclass(frozen=True, slots=True)
class CoursePage:
    course: Course
    roster: tuple[Enrollment, ...]
    assignments: tuple[Assignment, ...]


def course_page(*, instructor: User, course_id: int) -> CoursePage:
    course = course_get(instructor=instructor, course_id=course_id)
    roster = course.enrollments.select_related("student").order_by("student__username")
    assignments = course.assignments.select_related("lab")
    return CoursePage(course=course, roster=tuple(roster), assignments=tuple(assignments))


def course_for_invite(*, code: str) -> Course:
    return get_object_or_404(Course.objects.select_related("instructor"), invite_code=code)


def assignment_get(*, instructor: User, course_id: int, assignment_id: int) -> Assignment:
    """An assignment of one of the instructor's own courses; anything else is a 404."""
    return get_object_or_404(Assignment.objects.select_related("course", "lab"), pk=assignment_id,
                             course_id=course_id, course__instructor=instructor)



@dataclass(frozen=True, slots=True)
class RegradeProgress:
    run: RegradeRun
    total: int
    done: int
    failed: int
    failures: tuple[RegradeItem, ...]

    @property
    def finished(self) -> bool:
        return self.run.status == RegradeRun.Status.FINISHED

    @property
    def percent(self) -> int:
        return 100 if not self.total else (self.done + self.failed) * 100 // self.total


def _progress(run: RegradeRun) -> RegradeProgress:
    counts = run.items.aggregate(total=Count("pk"), done=Count("pk", filter=Q(state=RegradeItem.State.DONE)),
                                 failed=Count("pk", filter=Q(state=RegradeItem.State.FAILED)))
    failures = run.items.filter(state=RegradeItem.State.FAILED).select_related("submission__student")
    return RegradeProgress(run=run, total=counts["total"], done=counts["done"], failed=counts["failed"],
                           failures=tuple(failures.order_by("submission__student__username", "pk")))


def regrade_progress(*, instructor: User, run_id: int) -> RegradeProgress:
    run = get_object_or_404(RegradeRun.objects.select_related("assignment__course", "assignment__lab"), pk=run_id,
                            assignment__course__instructor=instructor)
    return _progress(run)


@dataclass(frozen=True, slots=True)
class AssignmentPage:
    assignment: Assignment
    title: str
    submitted: int  # students with at least one counted submit
    students: int
    regrade: RegradeProgress | None


def assignment_page(*, instructor: User, course_id: int, assignment_id: int, language: str) -> AssignmentPage:
    assignment = assignment_get(instructor=instructor, course_id=course_id, assignment_id=assignment_id)
    submitted = (Submission.objects.filter(assignment=assignment, kind=Submission.Kind.SUBMIT,
                                           status__in=Submission.COUNTED).values("student").distinct().count())
    run = assignment.regrade_runs.first()
    return AssignmentPage(assignment=assignment, title=selectors.lab_title(assignment.lab, language),
                          submitted=submitted, students=assignment.course.enrollments.count(),
                          regrade=_progress(run) if run else None)


# --- instructor: gradebook --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GradebookCell:
    assignment: Assignment
    best: SubmitScore | None
    submits: int
    pending: bool  # a submit is queued or being graded


@dataclass(frozen=True, slots=True)
class GradebookRow:
    student: User
    cells: tuple[GradebookCell, ...]


@dataclass(frozen=True, slots=True)
class Gradebook:
    course: Course
    assignments: tuple[Assignment, ...]
    titles: tuple[str, ...]
    rows: tuple[GradebookRow, ...]


def gradebook(*, instructor: User, course_id: int, language: str) -> Gradebook:
    """Students x assignments: the best score after the late penalty of each student's submits."""
    course = course_get(instructor=instructor, course_id=course_id)
    assignments = tuple(course.assignments.select_related("lab"))
    students = tuple(User.objects.filter(enrollments__course=course).order_by("username"))
    by_cell: dict[tuple[int, int], list[Submission]] = defaultdict(list)
    for submission in _submits(assignments):
        if submission.assignment_id is not None:
            by_cell[(submission.student_id, submission.assignment_id)].append(submission)
    rows = []
    for student in students:
        cells = []
        for assignment in assignments:
            submits = by_cell.get((student.pk, assignment.pk), [])
            counted = [s for s in submits if s.status in Submission.COUNTED]
            cells.append(GradebookCell(assignment=assignment, best=best_score(submit_scores(assignment, submits)),
                                       submits=len(counted), pending=any(not s.is_final for s in submits)))
        rows.append(GradebookRow(student=student, cells=tuple(cells)))
    titles = tuple(selectors.lab_title(a.lab, language) for a in assignments)
    return Gradebook(course=course, assignments=assignments, titles=titles, rows=tuple(rows))


@dataclass(frozen=True, slots=True)
class AssignmentSubmits:
    """One student's submits for one assignment, with the best one and whether the student may see scores."""

    assignment: Assignment
    title: str
    submits: tuple[SubmitScore, ...]
    best: SubmitScore | None
    scores_hidden: bool


@dataclass(frozen=True, slots=True)
class StudentGrades:
    course: Course
    student: User
    assignments: tuple[AssignmentSubmits, ...]


def gradebook_student(*, instructor: User, course_id: int, student_id: int, language: str) -> StudentGrades:
    """Per-check drill-down of one enrolled student in one of the instructor's courses."""
    course = course_get(instructor=instructor, course_id=course_id)
    student = get_object_or_404(User, pk=student_id, enrollments__course=course)
    assignments = tuple(course.assignments.select_related("lab"))
    by_assignment: dict[int, list[Submission]] = defaultdict(list)
    for submission in _submits(assignments, [student]):
        by_assignment[submission.assignment_id or 0].append(submission)
    items = []
    for assignment in assignments:
        scores = submit_scores(assignment, by_assignment.get(assignment.pk, []))
        items.append(AssignmentSubmits(assignment=assignment, title=selectors.lab_title(assignment.lab, language),
                                       submits=scores, best=best_score(scores), scores_hidden=False))
    return StudentGrades(course=course, student=student, assignments=tuple(items))


CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP: CSV injection)."""
    return f"'{value}" if value.startswith(CSV_FORMULA_STARTS) else value


def gradebook_csv(book: Gradebook) -> str:
    """The gradebook as CSV: one row per student, one column per assignment (best % after the late penalty)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "email", *(a.lab.slug for a in book.assignments)])
    for row in book.rows:
        scores = ["" if cell.best is None else f"{cell.best.percent:.1f}" for cell in row.cells]
        writer.writerow([_csv_cell(row.student.username), _csv_cell(row.student.email), *scores])
    return out.getvalue()


# --- students ---------------------------------------------------------------------------------------------------


class Progress:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


@dataclass(frozen=True, slots=True)
class StudentAssignment:
    assignment: Assignment
    title: str
    status: str  # Progress.*
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    is_open: bool
    scores_hidden: bool
    best: SubmitScore | None
    pending: bool

    @property
    def is_late(self) -> bool:
        return self.assignment.due_at is not None and timezone.now() > self.assignment.due_at


def _student_assignment(assignment: Assignment, submits: list[Submission], touched: bool, language: str,
                        now: datetime) -> StudentAssignment:
    counted = [s for s in submits if s.status in Submission.COUNTED]
    status = Progress.SUBMITTED if counted else Progress.IN_PROGRESS if touched else Progress.NOT_STARTED
    left = max(0, assignment.attempts - len(counted)) if assignment.attempts else None
    hidden = assignment.scores_hidden(now)
    return StudentAssignment(
        assignment=assignment, title=selectors.lab_title(assignment.lab, language), status=status,
        attempts_used=len(counted), attempts_left=left, is_open=assignment.is_open(now), scores_hidden=hidden,
        best=None if hidden else best_score(submit_scores(assignment, submits)),
        pending=any(not s.is_final for s in submits),
    )


def _without_scores(scores: tuple[SubmitScore, ...]) -> tuple[SubmitScore, ...]:
    """What a student may see of their submits before the due date when scores are hidden: no score, no checks."""
    return tuple(replace(s, score=None, adjusted=None, result=None, summary="") for s in scores)


def my_assignments(*, student: User, language: str) -> tuple[tuple[Course, tuple[StudentAssignment, ...]], ...]:
    """The student's courses, each with its assignments and the student's own status and scores."""
    now = timezone.now()
    courses = tuple(Course.objects.filter(enrollments__student=student).order_by("title", "pk"))
    assignments = tuple(Assignment.objects.filter(course__in=courses).select_related("lab", "course"))
    by_assignment: dict[int, list[Submission]] = defaultdict(list)
    for submission in _submits(assignments, [student]):
        by_assignment[submission.assignment_id or 0].append(submission)
    labs = {a.lab_id for a in assignments}
    touched = set(LabStart.objects.filter(student=student, lab_id__in=labs).values_list("lab_id", flat=True))
    touched |= set(Submission.objects.filter(student=student, lab_id__in=labs).values_list("lab_id", flat=True))
    result = []
    for course in courses:
        items = tuple(_student_assignment(a, by_assignment.get(a.pk, []), a.lab_id in touched, language, now)
                      for a in assignments if a.course_id == course.pk)
        result.append((course, items))
    return tuple(result)


def student_assignment_get(*, student: User, assignment_id: int) -> Assignment:
    """An assignment of a course the student is enrolled in; any other is a 404."""
    return get_object_or_404(Assignment.objects.select_related("course", "lab"), pk=assignment_id,
                             course__enrollments__student=student, lab__published=True)


@dataclass(frozen=True, slots=True)
class AssignmentLabPage:
    page: selectors.LabPage
    view: selectors.SubmissionView | None
    status: StudentAssignment
    submits: AssignmentSubmits


def assignment_lab_page(*, student: User, assignment_id: int, language: str) -> AssignmentLabPage:
    """The lab page opened from an assignment: the lab, the latest check or submit, and the student's submits."""
    assignment = student_assignment_get(student=student, assignment_id=assignment_id)
    page = selectors.lab_page(user=student, slug=assignment.lab.slug, language=language)
    view = None
    if page.latest is not None:
        view = selectors.submission_view(user=student, submission_id=page.latest.pk, language=language)
    submits = list(_submits([assignment], [student]))
    touched = page.latest is not None or LabStart.objects.filter(student=student, lab=assignment.lab).exists()
    status = _student_assignment(assignment, submits, touched, language, timezone.now())
    scores = submit_scores(assignment, submits)
    if status.scores_hidden:
        scores = _without_scores(scores)
    own = AssignmentSubmits(assignment=assignment, title=status.title, submits=scores, best=best_score(scores),
                            scores_hidden=status.scores_hidden)
    return AssignmentLabPage(page=page, view=view, status=status, submits=own)
