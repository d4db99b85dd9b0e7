"""The gradebook: submits graded with their context kept, best score after the penalty, CSV, and regrade runs."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from labs import selectors_courses as reads
from labs import tasks
from labs.grading.checks import grade
from labs.models import Enrollment, Grade, GradedContext, RegradeItem, RegradeRun, Submission
from labs.services import courses, gradebook, grading
from labs.services.world import grade_context_for
from sandbox.models import Sandbox
from tests.labs.conftest import graded_submit, solve_first_role

pytestmark = pytest.mark.django_db


def _submit_and_grade(student, assignment) -> Submission:
    submission = courses.assignment_submit(student=student, assignment=assignment)
    tasks.submission_grade.apply(args=[submission.pk])
    submission.refresh_from_db()
    return submission


class SubmitGradingTests:
    def test_a_submit_is_graded_and_keeps_its_context(self, enrolled, assignment):
        solve_first_role(enrolled)
        submission = _submit_and_grade(enrolled, assignment)
        assert submission.status == Submission.Status.GRADED
        assert Grade.objects.get(submission=submission).score == 1.0
        assert GradedContext.objects.filter(submission=submission).exists()

    def test_the_grade_names_the_lab_version_and_snapshot(self, enrolled, assignment):
        solve_first_role(enrolled)
        grade_row = Grade.objects.get(submission=_submit_and_grade(enrolled, assignment))
        assert grade_row.lab_version == assignment.lab.version
        assert grade_row.snapshot

    def test_a_check_keeps_no_context(self, enrolled, course_lab):
        solve_first_role(enrolled)
        check = Submission.objects.create(student=enrolled, lab=course_lab)
        tasks.submission_grade.apply(args=[check.pk])
        assert not GradedContext.objects.exists()

    def test_grading_a_submit_twice_leaves_one_grade_and_one_context(self, enrolled, assignment):
        solve_first_role(enrolled)
        submission = _submit_and_grade(enrolled, assignment)
        Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.GRADING)
        tasks.submission_grade.apply(args=[submission.pk])
        assert Grade.objects.filter(submission=submission).count() == 1
        assert GradedContext.objects.filter(submission=submission).count() == 1

    def test_a_submit_without_a_sandbox_is_not_gradable_and_not_counted(self, enrolled, assignment):
        submission = _submit_and_grade(enrolled, assignment)
        assert submission.status == Submission.Status.NOT_GRADABLE
        assert courses.attempts_used(student=enrolled, assignment=assignment) == 0

    def test_the_kept_context_grades_exactly_like_the_sandbox(self, enrolled, course_lab):
        solve_first_role(enrolled)
        context = grade_context_for(Sandbox.objects.get(owner=enrolled))
        decoded = gradebook.context_decode(gradebook.context_encode(context))
        assert decoded == context
        assert grade(course_lab.definition, decoded) == grade(course_lab.definition, context)


class GradebookTests:
    @pytest.fixture
    def due(self, assignment):
        assignment.due_at = timezone.now() - timedelta(days=3)
        assignment.late_penalty = 25
        assignment.save()
        return assignment

    def test_the_best_submit_after_the_penalty_counts(self, instructor, course, enrolled, due):
        graded_submit(enrolled, due, 0.5, at=due.due_at - timedelta(hours=1))
        graded_submit(enrolled, due, 1.0, at=due.due_at + timedelta(hours=36))  # 2 days late: 50%
        graded_submit(enrolled, due, 0.75, at=due.due_at + timedelta(hours=1))  # 1 day late: 56.25%
        book = reads.gradebook(instructor=instructor, course_id=course.pk, language="en")
        best = book.rows[0].cells[0].best
        assert (best.percent, best.late_days) == (56.2, 1)

    def test_ungraded_submits_have_no_score(self, instructor, course, enrolled, assignment):
        graded_submit(enrolled, assignment, 0, status=Submission.Status.QUEUED)
        cell = reads.gradebook(instructor=instructor, course_id=course.pk, language="en").rows[0].cells[0]
        assert (cell.best, cell.pending, cell.submits) == (None, True, 1)

    def test_every_enrolled_student_has_a_row(self, instructor, course, enrolled, other_student, assignment):
        Enrollment.objects.create(course=course, student=other_student)
        book = reads.gradebook(instructor=instructor, course_id=course.pk, language="en")
        assert [row.student.username for row in book.rows] == ["student1", "student2"]

    def test_checks_are_not_in_the_gradebook(self, instructor, course, enrolled, assignment, course_lab):
        Submission.objects.create(student=enrolled, lab=course_lab, status=Submission.Status.GRADED)
        cell = reads.gradebook(instructor=instructor, course_id=course.pk, language="en").rows[0].cells[0]
        assert cell.submits == 0

    def test_the_csv_has_a_row_per_student_and_a_column_per_assignment(self, instructor, course, enrolled, due):
        graded_submit(enrolled, due, 1.0, at=due.due_at)
        book = reads.gradebook(instructor=instructor, course_id=course.pk, language="en")
        rows = list(csv.reader(io.StringIO(reads.gradebook_csv(book))))
        assert rows == [["username", "email", "first-role"], ["student1", "", "100.0"]]

    def test_the_csv_never_starts_a_cell_with_a_formula(self, instructor, course, django_user_model, assignment):
        Enrollment.objects.create(course=course, student=django_user_model.objects.create_user("+cmd", email="=1+1"))
        book = reads.gradebook(instructor=instructor, course_id=course.pk, language="en")
        rows = list(csv.reader(io.StringIO(reads.gradebook_csv(book))))
        assert rows[1][:2] == ["'+cmd", "'=1+1"]

    def test_the_drill_down_lists_every_submit_with_its_checks(self, instructor, course, enrolled, assignment):
        graded_submit(enrolled, assignment, 0.5)
        graded_submit(enrolled, assignment, 1.0)
        grades = reads.gradebook_student(instructor=instructor, course_id=course.pk, student_id=enrolled.pk,
                                         language="en")
        item = grades.assignments[0]
        assert [s.number for s in item.submits] == [1, 2]
        assert item.best.number == 2
        assert item.best.result["checks"][0]["id"] == "role-exists"


class StudentViewOfScoresTests:
    def test_my_assignments_shows_status_attempts_and_score(self, enrolled, assignment):
        assignment.attempts = 3
        assignment.save()
        graded_submit(enrolled, assignment, 0.5)
        (_course, items), = reads.my_assignments(student=enrolled, language="en")
        item = items[0]
        assert (item.status, item.attempts_left, item.best.percent) == ("submitted", 2, 50.0)

    def test_an_untouched_assignment_is_not_started(self, enrolled, assignment):
        (_course, items), = reads.my_assignments(student=enrolled, language="en")
        assert items[0].status == "not_started"

    def test_a_check_puts_the_assignment_in_progress(self, enrolled, assignment, course_lab):
        Submission.objects.create(student=enrolled, lab=course_lab)
        (_course, items), = reads.my_assignments(student=enrolled, language="en")
        assert items[0].status == "in_progress"

    def test_hidden_scores_are_not_given_to_students(self, enrolled, assignment):
        assignment.due_at = timezone.now() + timedelta(days=1)
        assignment.hide_scores_until_due = True
        assignment.save()
        graded_submit(enrolled, assignment, 1.0)
        (_course, items), = reads.my_assignments(student=enrolled, language="en")
        assert (items[0].scores_hidden, items[0].best) == (True, None)

    def test_hidden_scores_are_left_out_of_the_lab_page_submits(self, enrolled, assignment):
        assignment.due_at = timezone.now() + timedelta(days=1)
        assignment.hide_scores_until_due = True
        assignment.save()
        graded_submit(enrolled, assignment, 1.0)
        page = reads.assignment_lab_page(student=enrolled, assignment_id=assignment.pk, language="en")
        assert [(s.score, s.result) for s in page.submits.submits] == [(None, None)]

    def test_only_courses_the_student_is_enrolled_in_are_listed(self, student, assignment):
        assert reads.my_assignments(student=student, language="en") == ()


class RegradeTests:
    @pytest.fixture
    def graded(self, enrolled, assignment):
        solve_first_role(enrolled)
        return _submit_and_grade(enrolled, assignment)

    def _run(self, instructor, assignment):
        return gradebook.regrade_start(assignment=assignment, requested_by=instructor)

    def test_a_run_has_one_item_per_graded_submit(self, instructor, assignment, graded):
        run = self._run(instructor, assignment)
        assert list(run.items.values_list("submission_id", flat=True)) == [graded.pk]

    def test_a_run_with_nothing_to_regrade_is_finished_at_once(self, instructor, assignment):
        assert self._run(instructor, assignment).status == RegradeRun.Status.FINISHED

    def test_starting_again_while_running_returns_the_same_run(self, instructor, assignment, graded):
        assert self._run(instructor, assignment) == self._run(instructor, assignment)

    def test_a_regrade_uses_the_kept_context_not_the_sandbox_now(self, instructor, enrolled, assignment, graded):
        Sandbox.objects.filter(owner=enrolled).delete()  # the learner's sandbox is gone; the snapshot is not
        run = self._run(instructor, assignment)
        gradebook.submission_regrade(item_id=run.items.get().pk)
        assert RegradeItem.objects.get(run=run).state == RegradeItem.State.DONE
        assert Grade.objects.get(submission=graded).score == 1.0

    def test_a_regrade_uses_the_current_lab_definition(self, instructor, assignment, graded, monkeypatch):
        run = self._run(instructor, assignment)
        monkeypatch.setattr(gradebook, "grade", lambda definition, context: grading.not_gradable("lab changed"))
        gradebook.submission_regrade(item_id=run.items.get().pk)
        assert Grade.objects.get(submission=graded).result["format_errors"] == ["lab changed"]

    def test_the_last_item_finishes_the_run(self, instructor, assignment, graded):
        run = self._run(instructor, assignment)
        gradebook.submission_regrade(item_id=run.items.get().pk)
        run.refresh_from_db()
        assert (run.status, run.finished_at is not None) == (RegradeRun.Status.FINISHED, True)

    def test_running_an_item_twice_regrades_once(self, instructor, assignment, graded, monkeypatch):
        run = self._run(instructor, assignment)
        item_id = run.items.get().pk
        gradebook.submission_regrade(item_id=item_id)
        monkeypatch.setattr(gradebook, "grade", lambda *_: pytest.fail("regraded twice"))
        gradebook.submission_regrade(item_id=item_id)
        assert Grade.objects.filter(submission=graded).count() == 1

    def test_a_submit_without_a_kept_context_fails_its_item_only(self, instructor, assignment, graded):
        GradedContext.objects.all().delete()
        run = self._run(instructor, assignment)
        gradebook.submission_regrade(item_id=run.items.get().pk)
        item = RegradeItem.objects.get(run=run)
        assert (item.state, item.message) == (RegradeItem.State.FAILED, gradebook.REGRADE_NO_CONTEXT)
        assert RegradeRun.objects.get(pk=run.pk).status == RegradeRun.Status.FINISHED

    def test_a_stalled_run_is_finished_with_its_pending_items_failed(self, instructor, assignment, graded):
        run = self._run(instructor, assignment)
        later = timezone.now() + gradebook.STALL_AFTER + timedelta(seconds=1)
        assert gradebook.regrade_finish_if_stalled(run_id=run.pk, now=later) is True
        assert RegradeItem.objects.get(run=run).message == gradebook.REGRADE_STALLED

    def test_a_run_making_progress_is_left_running(self, instructor, assignment, graded):
        run = self._run(instructor, assignment)
        assert gradebook.regrade_finish_if_stalled(run_id=run.pk) is False

    def test_a_stalled_run_does_not_block_a_new_one(self, instructor, assignment, graded):
        run = self._run(instructor, assignment)
        later = timezone.now() + gradebook.STALL_AFTER + timedelta(seconds=1)
        again = gradebook.regrade_start(assignment=assignment, requested_by=instructor, now=later)
        assert again != run

    def test_progress_counts_done_and_failed_items(self, instructor, enrolled, other_student, course, assignment,
                                                   graded):
        Enrollment.objects.create(course=course, student=other_student)
        graded_submit(other_student, assignment, 0.5)  # graded before contexts were kept: it cannot be replayed
        run = self._run(instructor, assignment)
        for item in run.items.all():
            gradebook.submission_regrade(item_id=item.pk)
        progress = reads.regrade_progress(instructor=instructor, run_id=run.pk)
        assert (progress.done, progress.failed, progress.percent, progress.finished) == (1, 1, 100, True)
