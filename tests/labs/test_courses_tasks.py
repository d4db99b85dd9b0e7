"""The course tasks, called directly (no broker): submit grading, the regrade fan-out and its failure paths."""
from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from labs import tasks
from labs.models import Grade, RegradeItem, RegradeRun, Submission
from labs.services import courses, gradebook, grading
from tests.labs.conftest import solve_first_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(instructor, enrolled, assignment):
    solve_first_role(enrolled)
    submission = courses.assignment_submit(student=enrolled, assignment=assignment)
    tasks.submission_grade.apply(args=[submission.pk])
    return gradebook.regrade_start(assignment=assignment, requested_by=instructor)


def _item(run):
    return RegradeItem.objects.get(run=run)


class SubmitGradeTaskTests:
    def test_the_grading_task_grades_a_submit(self, enrolled, assignment):
        solve_first_role(enrolled)
        submission = courses.assignment_submit(student=enrolled, assignment=assignment)
        tasks.submission_grade.apply(args=[submission.pk])
        assert Grade.objects.get(submission=submission).score == 1.0

    def test_the_soft_time_limit_marks_a_submit_as_error(self, enrolled, assignment, monkeypatch):
        def too_slow(**_):
            raise SoftTimeLimitExceeded()

        monkeypatch.setattr(gradebook, "submit_grade", too_slow)
        submission = courses.assignment_submit(student=enrolled, assignment=assignment)
        tasks.submission_grade.apply(args=[submission.pk])
        submission.refresh_from_db()
        assert (submission.status, submission.error_message) == (Submission.Status.ERROR, grading.GRADING_TIMED_OUT)

    def test_a_crash_marks_a_submit_as_error(self, enrolled, assignment, monkeypatch):
        monkeypatch.setattr(gradebook, "submit_grade", lambda **_: {}["bug"])
        submission = courses.assignment_submit(student=enrolled, assignment=assignment)
        assert tasks.submission_grade.apply(args=[submission.pk]).failed()
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ERROR


class RegradeTaskTests:
    def test_the_parent_sends_one_child_per_pending_item(self, run, monkeypatch):
        sent = []
        monkeypatch.setattr(tasks.submission_regrade, "delay", sent.append)
        assert tasks.regrade_run.apply(args=[run.pk]).get() == 1
        assert sent == [_item(run).pk]

    def test_the_child_regrades_and_finishes_the_run(self, run):
        tasks.submission_regrade.apply(args=[_item(run).pk])
        assert _item(run).state == RegradeItem.State.DONE
        assert RegradeRun.objects.get(pk=run.pk).status == RegradeRun.Status.FINISHED

    def test_running_the_child_twice_leaves_one_grade(self, run):
        tasks.submission_regrade.apply(args=[_item(run).pk])
        tasks.submission_regrade.apply(args=[_item(run).pk])
        assert Grade.objects.count() == 1

    def test_a_crashing_child_fails_its_item_and_the_run_still_finishes(self, run, monkeypatch):
        monkeypatch.setattr(gradebook, "submission_regrade", lambda **_: {}["bug"])
        assert tasks.submission_regrade.apply(args=[_item(run).pk]).failed()
        assert (_item(run).state, _item(run).message) == (RegradeItem.State.FAILED, gradebook.REGRADE_FAILED)
        assert RegradeRun.objects.get(pk=run.pk).status == RegradeRun.Status.FINISHED

    def test_the_soft_time_limit_fails_the_item(self, run, monkeypatch):
        def too_slow(**_):
            raise SoftTimeLimitExceeded()

        monkeypatch.setattr(gradebook, "submission_regrade", too_slow)
        tasks.submission_regrade.apply(args=[_item(run).pk])
        assert _item(run).message == gradebook.REGRADE_TIMED_OUT

    def test_a_locked_database_is_retried(self, run, monkeypatch):
        calls = []
        real = gradebook.submission_regrade

        def flaky(**kwargs):
            calls.append(kwargs)
            if len(calls) < 3:
                raise OperationalError("database is locked")
            real(**kwargs)

        monkeypatch.setattr(gradebook, "submission_regrade", flaky)
        monkeypatch.setattr(tasks.submission_regrade, "retry_backoff", False)
        tasks.submission_regrade.apply(args=[_item(run).pk])
        assert (len(calls), _item(run).state) == (3, RegradeItem.State.DONE)

    def test_the_watchdog_stops_looking_once_the_run_is_finished(self, run, monkeypatch):
        tasks.submission_regrade.apply(args=[_item(run).pk])
        monkeypatch.setattr(tasks.regrade_watch, "apply_async", lambda **_: pytest.fail("looked again"))
        tasks.regrade_watch.apply(args=[run.pk])

    def test_the_watchdog_looks_again_while_the_run_goes_on(self, run, monkeypatch):
        again = []
        monkeypatch.setattr(tasks.regrade_watch, "apply_async", lambda **kwargs: again.append(kwargs))
        tasks.regrade_watch.apply(args=[run.pk])
        assert again == [{"args": [run.pk], "countdown": tasks.REGRADE_WATCH_EVERY}]
