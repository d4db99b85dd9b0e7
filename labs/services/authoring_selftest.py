"""The publish gate run from the browser: one LabSelftestRun per click, run by a Celery task with live progress.

queued -> running -> passed | failed | error. Running it twice leaves one result (a finished run is not redone; a
run redelivered while `running` starts over). The result is stored on `Lab.selftest` only while the lab is still
at the version the run tested, since an edit makes a new version that needs its own run.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as BrokerUnavailable

from labs.models import Lab, LabSelftestRun
from labs.services.authoring import lab_author_check
from labs.services.selftest import LabSelftest, Progress, lab_selftest
from sandbox.errors import ApplicationError

logger = logging.getLogger(__name__)

# Kept with gettext_noop: stored on the run in English, shown translated.
SELFTEST_TIMED_OUT = gettext_noop("the self-test took too long and was stopped: a lab with many solution calls "
                                  "makes many mutants; try again, or shorten the solution")
SELFTEST_FAILED = gettext_noop("the self-test failed because of an error on our side: start it again in a minute")
SELFTEST_STALLED = gettext_noop("the self-test stopped answering (a worker was restarted?): start it again")
SELFTEST_OUTDATED = gettext_noop("the lab was changed after this self-test was started: start it again for the "
                                 "new version")
SELFTEST_LAB_BROKEN = gettext_noop("the lab made the grader fail: %(error)s")

REQUEUE_AFTER = timedelta(seconds=60)  # a queued run still waiting is sent again (the message may be lost)
STALLED_AFTER = timedelta(seconds=330)  # longer than the task's hard time limit without any progress


def _enqueue(run_id: int) -> None:
    """Send the task; if the broker is down the run stays queued and the next click (or a minute) sends it again."""
    from labs.tasks import lab_selftest_task

    try:
        lab_selftest_task.delay(run_id)
    except BrokerUnavailable:
        logger.warning("broker unavailable: self-test run %s stays queued", run_id, exc_info=True)


def lab_selftest_stalled(run: LabSelftestRun, now: datetime | None = None) -> bool:
    """A run that should have moved by now: no worker took it, or the one running it went away."""
    now = now or timezone.now()
    if run.status == LabSelftestRun.Status.QUEUED:
        return now - run.created_at > STALLED_AFTER
    return run.status == LabSelftestRun.Status.RUNNING and now - run.updated_at > STALLED_AFTER


def lab_selftest_start(*, lab: Lab, requested_by: User, now: datetime | None = None) -> LabSelftestRun:
    """Queue the publish gate for the lab's current version (or return the run already going for it)."""
    lab_author_check(lab=lab, author=requested_by)
    now = now or timezone.now()
    with transaction.atomic():
        current = Lab.objects.select_for_update().get(pk=lab.pk)  # one start at a time per lab
        active = current.selftest_runs.filter(version=current.version, status__in=LabSelftestRun.ACTIVE).first()
        if active is not None and lab_selftest_stalled(active, now):
            lab_selftest_fail(run_id=active.pk, message=SELFTEST_STALLED)
            active = None
        if active is not None:
            if active.status == LabSelftestRun.Status.QUEUED and now - active.created_at > REQUEUE_AFTER:
                transaction.on_commit(lambda: _enqueue(active.pk))
            return active
        run = LabSelftestRun.objects.create(lab=current, version=current.version, requested_by=requested_by)
        transaction.on_commit(lambda: _enqueue(run.pk))
        return run


def _claim(run_id: int) -> LabSelftestRun | None:
    """Move the run to `running` (again, when redelivered), unless it is final; a run for an old version errors."""
    with transaction.atomic():
        run = LabSelftestRun.objects.select_for_update().select_related("lab").get(pk=run_id)
        if run.is_final:
            return None
        if run.version != run.lab.version:
            _finish(run, LabSelftestRun.Status.ERROR, message=SELFTEST_OUTDATED)
            return None
        run.status, run.started_at, run.done, run.result = LabSelftestRun.Status.RUNNING, timezone.now(), 0, None
        run.save(update_fields=["status", "started_at", "done", "result", "updated_at"])
        return run


def _progress(run: LabSelftestRun) -> Progress:
    def report(done: int, total: int, step: str, result: LabSelftest) -> None:
        LabSelftestRun.objects.filter(pk=run.pk, status=LabSelftestRun.Status.RUNNING).update(
            done=done, total=total, step=step[:300], result=result.as_json(), updated_at=timezone.now())

    return report


def lab_selftest_run(*, run_id: int) -> None:
    """Run the publish gate for one run, reporting each step (blank, reference, each mutant) as progress."""
    run = _claim(run_id)
    if run is None:
        return
    try:
        result = lab_selftest(run.lab.definition, progress=_progress(run))
    except (LookupError, TypeError, ValueError, ApplicationError) as error:
        # An instructor's lab can make the grader fail in ways the schema cannot catch: the author must see why.
        logger.warning("self-test run %s: the lab made the grader fail", run_id, exc_info=True)
        lab_selftest_fail(run_id=run_id, message=SELFTEST_LAB_BROKEN % {"error": error})
        return
    payload = {**result.as_json(), "version": run.version, "run": run.pk}
    with transaction.atomic():
        run = LabSelftestRun.objects.select_for_update().get(pk=run.pk)
        if run.is_final:
            return
        run.result = payload
        _finish(run, LabSelftestRun.Status.PASSED if result.passed else LabSelftestRun.Status.FAILED)
        # INVARIANT: Lab.selftest only ever holds a result for the lab's current version.
        Lab.objects.filter(pk=run.lab_id, version=run.version).update(selftest=payload)


def _finish(run: LabSelftestRun, status: str, *, message: str = "") -> None:
    run.status, run.error_message, run.finished_at = status, message, timezone.now()
    run.step = ""
    run.save(update_fields=["status", "error_message", "finished_at", "done", "step", "result", "updated_at"])


def lab_selftest_fail(*, run_id: int, message: str) -> None:
    """Record that the run could not finish, so no author is left watching a progress bar that never moves."""
    LabSelftestRun.objects.filter(pk=run_id).exclude(status__in=LabSelftestRun.FINAL).update(
        status=LabSelftestRun.Status.ERROR, error_message=message, step="", finished_at=timezone.now())
