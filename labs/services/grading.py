"""Grading a submission: status guard, sandbox snapshot, checks, one Grade per grader version."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from labs.grading.checks import grade
from labs.grading.context import GradeContext
from labs.grading.result import GradeResult, not_gradable
from labs.models import Grade, Lab, Submission
from labs.services.hints import hint_reveal_ids
from labs.services.lab_runner import learner_variables
from labs.services.world import grade_context_for, snapshot_tokens
from sandbox.models import Sandbox

GRADER_VERSION = "checks-2"
NO_SANDBOX = "your sandbox does not exist yet: open the console once, then check again"
GRADING_TIMED_OUT = "grading took too long and was stopped: check again, and tell your instructor if it keeps happening"
GRADING_FAILED = "grading failed because of an error on our side: check again in a minute"


def grade_context_load(*, student_id: int, lab: Lab) -> tuple[GradeContext, dict[str, str]] | None:
    """A snapshot of the student's sandbox for `lab` (and the state tokens it read), or None before it exists.

    The hints the student revealed so far are part of it, so a submit's kept context regrades with the same
    penalties."""
    sandbox = Sandbox.objects.filter(owner_id=student_id).select_related("organization").first()
    if sandbox is None or not sandbox.accounts.exists():
        return None
    tokens = snapshot_tokens(sandbox)
    hints = hint_reveal_ids(student_id=student_id, lab_id=lab.pk)
    return grade_context_for(sandbox, learner_variables(sandbox, lab.definition), hints_revealed=hints), tokens


def _claim(submission_id: int) -> Submission | None:
    """Move a submission to `grading`, unless it already reached a final state (then grading is a no-op)."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related("lab").get(pk=submission_id)
        if submission.is_final:
            return None
        submission.status = Submission.Status.GRADING
        submission.started_at = timezone.now()
        submission.save(update_fields=["status", "started_at"])
        return submission


def submission_grade(*, submission_id: int) -> None:
    """Grade a submission; running it twice leaves exactly one Grade and one final status."""
    submission = _claim(submission_id)
    if submission is None:
        return
    loaded = grade_context_load(student_id=submission.student_id, lab=submission.lab)
    if loaded is None:
        _store(submission, not_gradable(NO_SANDBOX), {})
        return
    context, tokens = loaded
    _store(submission, grade(submission.lab.definition, context), tokens)


def _store(submission: Submission, result: GradeResult, tokens: dict[str, str]) -> None:
    with transaction.atomic():
        Grade.objects.update_or_create(
            submission=submission,
            grader_version=GRADER_VERSION,
            defaults={"score": result.score, "result": result.as_json(), "lab_version": submission.lab.version,
                      "snapshot": tokens},
        )
        status = Submission.Status.GRADED if result.gradable else Submission.Status.NOT_GRADABLE
        Submission.objects.filter(pk=submission.pk).exclude(status__in=Submission.FINAL).update(
            status=status, finished_at=timezone.now()
        )


def submission_fail(*, submission_id: int, message: str) -> None:
    """Record that grading could not finish, so the learner is never left looking at a spinner."""
    Submission.objects.filter(pk=submission_id).exclude(status__in=Submission.FINAL).update(
        status=Submission.Status.ERROR, error_message=message, finished_at=timezone.now()
    )
