"""Creating submissions ("Check my progress") and queueing their grading after commit."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from labs.models import Lab, Submission

logger = logging.getLogger(__name__)
REQUEUE_AFTER = timedelta(seconds=60)


def _enqueue(submission_id: int) -> None:
    """Send the grading task; if the broker is down the submission stays queued and is re-sent later."""
    from labs.tasks import submission_grade_task

    try:
        submission_grade_task.delay(submission_id)
    except BrokerUnavailable:
        logger.warning("broker unavailable: submission %s stays queued", submission_id, exc_info=True)


def submission_create(*, student: User, lab: Lab) -> Submission:
    """Queue a grading of `lab` for `student`.

    While one is still pending, that one is returned instead; if it has waited in the queue for a minute (its
    message may have been lost with a broker), it is sent again, which is safe because grading is idempotent.
    """
    with transaction.atomic():
        pending = (
            Submission.objects.select_for_update()
            .filter(student=student, lab=lab)
            .exclude(status__in=Submission.FINAL)
            .first()
        )
        if pending is None:
            submission = Submission.objects.create(student=student, lab=lab)
        elif pending.status == Submission.Status.QUEUED and timezone.now() - pending.created_at > REQUEUE_AFTER:
            submission = pending
        else:
            return pending
        transaction.on_commit(lambda: _enqueue(submission.pk))
        return submission
