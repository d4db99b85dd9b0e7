"""Celery tasks for labs: each loads by id and calls one service."""
from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from sandbox.errors import SandboxUnavailable

REGRADE_WATCH_EVERY = 20  # seconds between two looks of the regrade watchdog


class FailureMarkingTask(DjangoTask):
    """When the task finally fails, `mark_failed` is called with the id of the row it worked on, so that no
    learner or author watches a status that never ends. Subclasses name the argument and the service."""

    id_argument = ""

    def mark_failed(self, row_id: int) -> None:
        raise NotImplementedError

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        row_id = kwargs.get(self.id_argument, args[0] if args else None)
        if row_id is not None:
            self.mark_failed(row_id)


class SubmissionGradeTask(FailureMarkingTask):
    """Marks the submission as `error`."""

    id_argument = "submission_id"

    def mark_failed(self, row_id: int) -> None:
        from labs.services.grading import GRADING_FAILED, submission_fail

        submission_fail(submission_id=row_id, message=GRADING_FAILED)


@shared_task(
    base=SubmissionGradeTask,
    name="labs.submission_grade",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20,
    time_limit=30,
    autoretry_for=(SandboxUnavailable,),
    retry_backoff=True,
    max_retries=3,
    throws=(SandboxUnavailable,),
)
def submission_grade(submission_id: int) -> None:
    """Grade a check or a submit (a submit also keeps the context it was graded on, for regrades)."""
    from labs.services.gradebook import submission_grade_any
    from labs.services.grading import GRADING_TIMED_OUT, submission_fail

    try:
        submission_grade_any(submission_id=submission_id)
    except SoftTimeLimitExceeded:
        submission_fail(submission_id=submission_id, message=GRADING_TIMED_OUT)


submission_grade_task = submission_grade


class SubmissionRegradeTask(FailureMarkingTask):
    """Marks the regrade item as failed, so the run's progress always completes."""

    id_argument = "item_id"

    def mark_failed(self, row_id: int) -> None:
        from labs.services.gradebook import REGRADE_FAILED, regrade_item_fail

        regrade_item_fail(item_id=row_id, message=REGRADE_FAILED)


@shared_task(name="labs.regrade_run", acks_late=True, reject_on_worker_lost=True, soft_time_limit=50,
             time_limit=60, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3,
             throws=(OperationalError,))
def regrade_run(run_id: int) -> int:
    """The parent of "Regrade all": one `submission_regrade` per pending item (children are idempotent)."""
    from labs.services.gradebook import regrade_dispatch

    return regrade_dispatch(run_id=run_id)


regrade_run_task = regrade_run


@shared_task(
    base=SubmissionRegradeTask,
    name="labs.submission_regrade",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20,
    time_limit=30,
    autoretry_for=(OperationalError,),  # the database was locked or went away for a moment
    retry_backoff=True,
    max_retries=3,
    throws=(OperationalError,),
)
def submission_regrade(item_id: int) -> None:
    from labs.services.gradebook import REGRADE_TIMED_OUT, regrade_item_fail
    from labs.services.gradebook import submission_regrade as regrade

    try:
        regrade(item_id=item_id)
    except SoftTimeLimitExceeded:
        regrade_item_fail(item_id=item_id, message=REGRADE_TIMED_OUT)


submission_regrade_task = submission_regrade


@shared_task(bind=True, name="labs.regrade_watch", acks_late=True, soft_time_limit=20, time_limit=30)
def regrade_watch(self: Any, run_id: int) -> None:
    """Looks again every REGRADE_WATCH_EVERY seconds until the run is finished (a stalled run is finished)."""
    from labs.services.gradebook import regrade_finish_if_stalled

    if not regrade_finish_if_stalled(run_id=run_id):
        self.apply_async(args=[run_id], countdown=REGRADE_WATCH_EVERY)


regrade_watch_task = regrade_watch


class LabSelftestTask(FailureMarkingTask):
    """Marks the self-test run as `error`, so no author watches a progress bar that never ends."""

    id_argument = "run_id"

    def mark_failed(self, row_id: int) -> None:
        from labs.services.authoring_selftest import SELFTEST_FAILED, lab_selftest_fail

        lab_selftest_fail(run_id=row_id, message=SELFTEST_FAILED)


@shared_task(
    base=LabSelftestTask,
    name="labs.lab_selftest_run",
    acks_late=True,
    reject_on_worker_lost=True,
    # Below the broker's 300 s visibility timeout, so a long run is never handed to a second worker meanwhile.
    soft_time_limit=240,
    time_limit=270,
    autoretry_for=(OperationalError, SandboxUnavailable),
    retry_backoff=True,
    max_retries=3,
    throws=(OperationalError, SandboxUnavailable),
)
def lab_selftest_run(run_id: int) -> None:
    """The publish gate for one LabSelftestRun (blank sandbox, reference solution, every mutant)."""
    from labs.services.authoring_selftest import SELFTEST_TIMED_OUT, lab_selftest_fail
    from labs.services.authoring_selftest import lab_selftest_run as run_gate

    try:
        run_gate(run_id=run_id)
    except SoftTimeLimitExceeded:
        lab_selftest_fail(run_id=run_id, message=SELFTEST_TIMED_OUT)


lab_selftest_task = lab_selftest_run
