"""Grades of assignments (writes): submits are graded with their GradeContext kept, so "Regrade all" replays
exactly what was submitted; a regrade run fans out one idempotent task per submit and counts items done."""
from __future__ import annotations

import collections.abc
import json
import logging
import zlib
from dataclasses import asdict, fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any, get_args, get_origin, get_type_hints

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as BrokerUnavailable

from labs.grading.checks import grade
from labs.grading.context import GradeContext
from labs.grading.result import GradeResult, not_gradable
from labs.models import Assignment, Grade, GradedContext, RegradeItem, RegradeRun, Submission
from labs.services import grading

logger = logging.getLogger(__name__)

CONTEXT_FORMAT = 1
# Stored in the database in English and translated when shown ({% translate item.message %}).
REGRADE_NO_CONTEXT = gettext_noop("this submit was graded before snapshots were kept, so it cannot be replayed")
REGRADE_FAILED = gettext_noop("regrading failed because of an error on our side; the previous grade stands")
REGRADE_TIMED_OUT = gettext_noop("regrading took too long and was stopped; the previous grade stands")
REGRADE_STALLED = gettext_noop("regrading made no progress for a long time; the previous grade stands")
STALL_AFTER = timedelta(minutes=10)  # no item finished for this long: the run is finished, pending items failed


# --- the kept grading context ------------------------------------------------------------------------------------


def context_encode(context: GradeContext) -> bytes:
    """The context as compressed JSON (plain data only: strings, numbers, lists, dicts)."""
    document = {"format": CONTEXT_FORMAT, "context": asdict(context)}
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode())


def _decode(kind: Any, value: Any) -> Any:
    if is_dataclass(kind) and isinstance(kind, type):
        hints = get_type_hints(kind)
        return kind(**{f.name: _decode(hints[f.name], value[f.name]) for f in fields(kind) if f.name in value})
    origin, args = get_origin(kind), get_args(kind)
    if origin in (dict, collections.abc.Mapping) and args:
        return {key: _decode(args[1], item) for key, item in value.items()}
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in value)
        return tuple(_decode(arg, item) for arg, item in zip(args, value, strict=False))
    return value


def context_decode(data: bytes) -> GradeContext:
    """The GradeContext `context_encode` stored (fields added since then take their defaults)."""
    document = json.loads(zlib.decompress(data))
    context = _decode(GradeContext, document["context"])
    assert isinstance(context, GradeContext)  # noqa: S101 - _decode builds the type it is given
    return context


# --- grading a submit -------------------------------------------------------------------------------------------


def submission_grade_any(*, submission_id: int) -> None:
    """Grade a check the usual way, and a submit with its context kept for regrades."""
    kind = Submission.objects.filter(pk=submission_id).values_list("kind", flat=True).first()
    if kind == Submission.Kind.SUBMIT:
        submit_grade(submission_id=submission_id)
    else:
        grading.submission_grade(submission_id=submission_id)


def submit_grade(*, submission_id: int) -> None:
    """Like `grading.submission_grade` (same status guard, one Grade per grader version), keeping the context."""
    submission = grading._claim(submission_id)
    if submission is None:
        return
    loaded = grading.grade_context_load(student_id=submission.student_id, lab=submission.lab)
    if loaded is None:
        grading._store(submission, not_gradable(grading.NO_SANDBOX), {})
        return
    context, tokens = loaded
    result = grade(submission.lab.definition, context)
    with transaction.atomic():
        GradedContext.objects.update_or_create(submission=submission, defaults={"data": context_encode(context)})
        grading._store(submission, result, tokens)


# --- regrade all ------------------------------------------------------------------------------------------------


def _enqueue_run(run_id: int) -> None:
    from labs.tasks import regrade_run_task, regrade_watch_task

    try:
        regrade_run_task.delay(run_id)
        regrade_watch_task.apply_async(args=[run_id], countdown=30)
    except BrokerUnavailable:
        # The run stays `running` with pending items; the next "Regrade all" finishes it once it has stalled.
        logger.warning("broker unavailable: regrade run %s not started", run_id, exc_info=True)


def regrade_start(*, assignment: Assignment, requested_by: User, now: datetime | None = None) -> RegradeRun:
    """Start regrading every graded submit of `assignment` (or return the run already going)."""
    now = now or timezone.now()
    with transaction.atomic():
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()  # one start at a time
        running = RegradeRun.objects.filter(assignment=assignment, status=RegradeRun.Status.RUNNING).first()
        if running is not None and not regrade_finish_if_stalled(run_id=running.pk, now=now):
            return running
        run = RegradeRun.objects.create(assignment=assignment, requested_by=requested_by,
                                        grader_version=grading.GRADER_VERSION)
        submits = Submission.objects.filter(assignment=assignment, kind=Submission.Kind.SUBMIT,
                                            status=Submission.Status.GRADED).values_list("pk", flat=True)
        RegradeItem.objects.bulk_create([RegradeItem(run=run, submission_id=pk) for pk in submits])
        if not submits:
            _run_finish_if_done(run.pk, now)
        else:
            transaction.on_commit(lambda: _enqueue_run(run.pk))
    run.refresh_from_db()
    return run


def regrade_dispatch(*, run_id: int) -> int:
    """Send one regrade task per pending item of the run (sending twice is harmless); returns how many."""
    from labs.tasks import submission_regrade_task

    pending = RegradeItem.objects.filter(run_id=run_id, state=RegradeItem.State.PENDING)
    items = list(pending.values_list("pk", flat=True))
    for item_id in items:
        submission_regrade_task.delay(item_id)
    return len(items)


def submission_regrade(*, item_id: int) -> None:
    """Regrade one submit from its kept context with the current grader; a finished item is left alone."""
    item = RegradeItem.objects.select_related("submission__lab").filter(pk=item_id).first()
    if item is None or item.state != RegradeItem.State.PENDING:
        return
    kept = GradedContext.objects.filter(submission_id=item.submission_id).first()
    if kept is None:
        regrade_item_fail(item_id=item_id, message=REGRADE_NO_CONTEXT)
        return
    result = grade(item.submission.lab.definition, context_decode(bytes(kept.data)))
    _item_finish(item, result)


def _item_finish(item: RegradeItem, result: GradeResult) -> None:
    now = timezone.now()
    submission = item.submission
    with transaction.atomic():
        # The run row lock orders the items' last steps, so exactly one of them sees "nothing pending" and finishes.
        RegradeRun.objects.select_for_update().filter(pk=item.run_id).first()
        if not RegradeItem.objects.filter(pk=item.pk, state=RegradeItem.State.PENDING).update(
            state=RegradeItem.State.DONE, finished_at=now
        ):
            return
        previous = Grade.objects.filter(submission=submission).order_by("-created_at", "-id").first()
        Grade.objects.update_or_create(
            submission=submission, grader_version=grading.GRADER_VERSION,
            defaults={"score": result.score, "result": result.as_json(), "lab_version": submission.lab.version,
                      "snapshot": previous.snapshot if previous else {}},
        )
        status = Submission.Status.GRADED if result.gradable else Submission.Status.NOT_GRADABLE
        Submission.objects.filter(pk=submission.pk).update(status=status)
        _run_finish_if_done(item.run_id, now)


def regrade_item_fail(*, item_id: int, message: str) -> None:
    """Record that one submit could not be regraded (its previous grade stands); the run still finishes."""
    now = timezone.now()
    with transaction.atomic():
        run_id = RegradeItem.objects.filter(pk=item_id).values_list("run_id", flat=True).first()
        if run_id is None:
            return
        RegradeRun.objects.select_for_update().filter(pk=run_id).first()
        RegradeItem.objects.filter(pk=item_id, state=RegradeItem.State.PENDING).update(
            state=RegradeItem.State.FAILED, message=message, finished_at=now
        )
        _run_finish_if_done(run_id, now)


def _run_finish_if_done(run_id: int, now: datetime) -> bool:
    if RegradeItem.objects.filter(run_id=run_id, state=RegradeItem.State.PENDING).exists():
        return False
    RegradeRun.objects.filter(pk=run_id, status=RegradeRun.Status.RUNNING).update(
        status=RegradeRun.Status.FINISHED, finished_at=now
    )
    return True


def regrade_finish_if_stalled(*, run_id: int, now: datetime | None = None) -> bool:
    """True once the run is finished; a run whose items stopped finishing for STALL_AFTER is finished here
    (its pending items failed), so a lost message or a killed worker never leaves a progress bar running."""
    now = now or timezone.now()
    with transaction.atomic():
        run = RegradeRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status == RegradeRun.Status.FINISHED:
            return True
        last = max(filter(None, [run.created_at, *run.items.values_list("finished_at", flat=True)]))
        if now - last < STALL_AFTER:
            return _run_finish_if_done(run_id, now)
        run.items.filter(state=RegradeItem.State.PENDING).update(
            state=RegradeItem.State.FAILED, message=REGRADE_STALLED, finished_at=now
        )
        return _run_finish_if_done(run_id, now)
