"""Celery tasks for labs: each loads by id and calls one service."""
from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import SoftTimeLimitExceeded

from sandbox.errors import SandboxUnavailable


class SubmissionGradeTask(DjangoTask):
    """Marks the submission as `error` when the task finally fails, so no learner waits forever."""

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        from labs.services.grading import GRADING_FAILED, submission_fail

        submission_id = kwargs.get("submission_id", args[0] if args else None)
        if submission_id is not None:
            submission_fail(submission_id=submission_id, message=GRADING_FAILED)


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
    from labs.services.grading import GRADING_TIMED_OUT, submission_fail
    from labs.services.grading import submission_grade as grade

    try:
        grade(submission_id=submission_id)
    except SoftTimeLimitExceeded:
        submission_fail(submission_id=submission_id, message=GRADING_TIMED_OUT)


submission_grade_task = submission_grade
