"""The grading task, called directly (no broker): idempotent, and every outcome ends in a final state."""
from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from labs import tasks
from labs.models import Grade, Submission
from labs.services import grading
from sandbox import provisioning, roles
from sandbox.errors import SandboxUnavailable
from tests.sandbox.helpers import EC2_TRUST


@pytest.fixture
def submission(student, catalog):
    return Submission.objects.create(student=student, lab=catalog["first-role"])


@pytest.fixture
def solved(student):
    identity = provisioning.learner_identity(user=student)
    roles.role_create(identity=identity, role_name="FirstEc2Role", trust_policy=EC2_TRUST)


@pytest.mark.django_db
class SubmissionGradeTaskTests:
    def test_grades_a_solved_lab(self, submission, solved):
        tasks.submission_grade.apply(args=[submission.pk])
        submission.refresh_from_db()
        assert submission.status == Submission.Status.GRADED
        assert Grade.objects.get(submission=submission).score == 1.0

    def test_running_twice_leaves_exactly_one_grade(self, submission, solved):
        tasks.submission_grade.apply(args=[submission.pk])
        tasks.submission_grade.apply(args=[submission.pk])
        assert Grade.objects.filter(submission=submission).count() == 1

    def test_a_redelivered_task_for_a_submission_stuck_in_grading_still_finishes(self, submission, solved):
        Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.GRADING)
        tasks.submission_grade.apply(args=[submission.pk])
        submission.refresh_from_db()
        assert submission.status == Submission.Status.GRADED

    def test_a_learner_without_a_sandbox_is_not_gradable(self, submission):
        tasks.submission_grade.apply(args=[submission.pk])
        submission.refresh_from_db()
        assert submission.status == Submission.Status.NOT_GRADABLE
        assert Grade.objects.get(submission=submission).result["format_errors"] == [grading.NO_SANDBOX]

    def test_an_unsolved_lab_is_graded_zero(self, submission, student):
        provisioning.learner_identity(user=student)
        tasks.submission_grade.apply(args=[submission.pk])
        assert Grade.objects.get(submission=submission).score == 0.0

    def test_the_soft_time_limit_records_an_error_for_the_learner(self, submission, monkeypatch):
        def too_slow(**_):
            raise SoftTimeLimitExceeded()

        monkeypatch.setattr(grading, "submission_grade", too_slow)
        tasks.submission_grade.apply(args=[submission.pk])
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ERROR
        assert submission.error_message == grading.GRADING_TIMED_OUT

    def test_an_unexpected_crash_marks_the_submission_as_error(self, submission, monkeypatch):
        def crash(**_):
            raise KeyError("bug")

        monkeypatch.setattr(grading, "submission_grade", crash)
        result = tasks.submission_grade.apply(args=[submission.pk])
        assert result.failed()
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ERROR
        assert submission.error_message == grading.GRADING_FAILED

    def test_the_sandbox_being_unavailable_is_retried(self, submission, monkeypatch):
        calls = []

        def flaky(**kwargs):
            calls.append(kwargs)
            if len(calls) < 3:
                raise SandboxUnavailable("database is locked")
            return None

        monkeypatch.setattr(grading, "submission_grade", flaky)
        monkeypatch.setattr(tasks.submission_grade, "retry_backoff", False)
        tasks.submission_grade.apply(args=[submission.pk])
        assert len(calls) == 3

    def test_a_graded_submission_is_not_graded_again(self, submission, solved, monkeypatch):
        tasks.submission_grade.apply(args=[submission.pk])
        monkeypatch.setattr(grading, "grade", lambda *_: pytest.fail("graded twice"))
        tasks.submission_grade.apply(args=[submission.pk])
