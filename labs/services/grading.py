"""Grading a submission: status guard, sandbox snapshot, checks, one Grade per grader version."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from labs.grading.checks import grade
from labs.grading.context import GradeContext, RoleView
from labs.grading.result import GradeResult, not_gradable
from labs.models import Grade, Submission
from sandbox import roles
from sandbox.models import Account

GRADER_VERSION = "checks-1"
NO_SANDBOX = "your sandbox does not exist yet: open the console once, then check again"
GRADING_TIMED_OUT = "grading took too long and was stopped: check again, and tell your instructor if it keeps happening"
GRADING_FAILED = "grading failed because of an error on our side: check again in a minute"


def grade_context_load(*, student_id: int) -> GradeContext | None:
    """A snapshot of the student's home account, or None when they have no sandbox yet."""
    account = Account.objects.filter(sandbox__owner_id=student_id, is_home=True).first()
    if account is None:
        return None
    views = {
        role.name: RoleView(name=role.name, arn=role.arn, trust_policy=role.trust_policy)
        for role in roles.roles_snapshot(account_id=account.account_id)
    }
    return GradeContext(account_id=account.account_id, roles=views)


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
    context = grade_context_load(student_id=submission.student_id)
    result = not_gradable(NO_SANDBOX) if context is None else grade(submission.lab.definition, context)
    _store(submission, result)


def _store(submission: Submission, result: GradeResult) -> None:
    with transaction.atomic():
        Grade.objects.update_or_create(
            submission=submission,
            grader_version=GRADER_VERSION,
            defaults={"score": result.score, "result": result.as_json()},
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
