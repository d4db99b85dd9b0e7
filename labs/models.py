"""Lab, Course, Enrollment, Assignment, Submission and Grade; kept grading contexts, regrade and self-test runs,
revealed hints."""
from __future__ import annotations

import math
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INSTRUCTORS_GROUP = "instructors"  # members may create courses (superusers may too)


class Lab(models.Model):
    """A lab: built-in ones come from `labs/catalog/<slug>/`, instructor-authored ones have the same shape."""

    class Source(models.TextChoices):
        BUILTIN = "builtin", _("Built-in")
        INSTRUCTOR = "instructor", _("Instructor")

    uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    slug = models.SlugField(max_length=80, unique=True)
    title_en = models.CharField(max_length=200)
    title_ko = models.CharField(max_length=200)
    brief_en = models.TextField()
    brief_ko = models.TextField()
    topics = models.JSONField(default=list)
    difficulty = models.CharField(max_length=20)
    estimated_minutes = models.PositiveIntegerField()
    version = models.PositiveIntegerField()
    definition = models.JSONField()  # the validated lab.json (checks, variants, setup...)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.BUILTIN)
    published = models.BooleanField(default=True)  # students see published labs only (the publish gate decides)
    selftest = models.JSONField(null=True, blank=True)  # the last publish-gate result for this version
    updated_at = models.DateTimeField(auto_now=True)
    # The instructor who wrote it (None for built-in labs); only they see and edit it in the browser.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="labs_authored")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_builtin(self) -> bool:
        return self.source == self.Source.BUILTIN

    @property
    def selftest_passed(self) -> bool:
        """The stored publish-gate result passed, and it was for this version (an edit clears it)."""
        result = self.selftest or {}
        return bool(result.get("passed")) and result.get("version", self.version) == self.version


class LabSelftestRun(models.Model):
    """The publish gate run in the browser for one version of a lab: queued -> running -> passed | failed | error.

    Progress is `done` of `total` steps (the blank sandbox, the reference solution, each mutant); `result` is the
    gate's result (`LabSelftest.as_json()`), filled in as the steps finish.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        ERROR = "error", _("Error")

    FINAL = frozenset({Status.PASSED, Status.FAILED, Status.ERROR})
    ACTIVE = frozenset({Status.QUEUED, Status.RUNNING})

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="selftest_runs")
    version = models.PositiveIntegerField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=300, blank=True)  # what the gate is doing now
    result = models.JSONField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "version"], condition=models.Q(status__in=["queued", "running"]),
                                    name="one_active_selftest_per_lab_version"),
        ]

    def __str__(self) -> str:
        return f"{self.lab.slug} v{self.version}: {self.status}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def percent(self) -> int:
        if self.is_final:
            return 100
        return self.done * 100 // self.total if self.total else 0


def new_invite_code() -> str:
    """An unguessable code for a course's invite link (`/labs/join/<code>/`)."""
    return secrets.token_urlsafe(12)


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses_taught")
    labs = models.ManyToManyField(Lab, through="Assignment", related_name="courses")
    created_at = models.DateTimeField(auto_now_add=True)
    description = models.TextField(blank=True)
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "student"], name="one_enrollment_per_student")]


class Assignment(models.Model):
    """A lab set in a course.

    Submits are refused before `opens_at` and once `attempts` counted submits exist (0 means unlimited); a
    submit that is not gradable or ends in an error does not count. Late submits are accepted: the gradebook
    takes `late_penalty` percent off their score for every day, or part of a day, after `due_at` (so 10 means
    a submit 25 hours late keeps 80%), down to zero.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="assignments")
    position = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # 0 = unlimited
    late_penalty = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    hide_scores_until_due = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "lab"], name="one_assignment_per_lab")]

    def __str__(self) -> str:
        return f"{self.course.slug}/{self.lab.slug}"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.opens_at is None or (now or timezone.now()) >= self.opens_at

    def scores_hidden(self, now: datetime | None = None) -> bool:
        """Students do not see their submit scores before the due date when the instructor chose so."""
        return self.hide_scores_until_due and self.due_at is not None and (now or timezone.now()) < self.due_at

    def late_days(self, submitted_at: datetime) -> int:
        """Whole days late, a started day counting as one (0 when on time or without a due date)."""
        if self.due_at is None or submitted_at <= self.due_at:
            return 0
        return math.ceil((submitted_at - self.due_at) / timedelta(days=1))

    def score_after_penalty(self, score: float, submitted_at: datetime) -> float:
        factor = max(0.0, 1.0 - self.late_penalty / 100 * self.late_days(submitted_at))
        return score * factor


class Submission(models.Model):
    """One "Check my progress": queued -> grading -> graded | not_gradable | error."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        GRADING = "grading", _("Grading")
        GRADED = "graded", _("Graded")
        NOT_GRADABLE = "not_gradable", _("Not gradable")
        ERROR = "error", _("Error")

    class Kind(models.TextChoices):
        CHECK = "check", _("Check")  # "Check my progress": free, never counted
        SUBMIT = "submit", _("Submit")  # counts against the assignment's attempts

    FINAL = frozenset({Status.GRADED, Status.NOT_GRADABLE, Status.ERROR})
    COUNTED = frozenset({Status.QUEUED, Status.GRADING, Status.GRADED})  # a submit in these uses an attempt

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHECK)
    assignment = models.ForeignKey(
        "Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["student", "lab", "-created_at"]),
            models.Index(fields=["assignment", "student", "kind"]),
        ]

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def is_submit(self) -> bool:
        return self.kind == self.Kind.SUBMIT

    @property
    def score_hidden(self) -> bool:
        """A submit's score stays hidden from the student until the due date when the assignment says so."""
        return self.is_submit and self.assignment is not None and self.assignment.scores_hidden()


class LabStart(models.Model):
    """A learner started a lab: its setup was applied to their sandbox (for this version)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_starts")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="starts")
    version = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "lab"], name="one_start_per_student_lab")]


class HintReveal(models.Model):
    """A learner revealed a check's hint: grades made after it take the hint's penalty off that check."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hint_reveals")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="hint_reveals")
    check_id = models.CharField(max_length=100)
    revealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revealed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "lab", "check_id"], name="one_hint_reveal_per_check")
        ]

    def __str__(self) -> str:
        return f"{self.lab.slug}#{self.check_id}"


class Grade(models.Model):
    """The result of grading one submission with one grader version (GradeResult as JSON)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="grades")
    grader_version = models.CharField(max_length=40)
    lab_version = models.PositiveIntegerField(default=1)
    snapshot = models.JSONField(default=dict)  # account id -> state token graded (for the record; regrades replay
    # the stored GradedContext, as old snapshots are pruned)
    score = models.FloatField()
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "grader_version"], name="one_grade_per_grader_version")
        ]


class GradedContext(models.Model):
    """The GradeContext a submit was graded on (zlib-compressed JSON): a regrade replays exactly this."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="graded_context")
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


class RegradeRun(models.Model):
    """"Regrade all" for one assignment: one RegradeItem per counted submit; progress is the items done."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="regrade_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    grader_version = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class RegradeItem(models.Model):
    """One submit to regrade: pending -> done | failed (each moves once, so redelivered tasks count once)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(RegradeRun, on_delete=models.CASCADE, related_name="items")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="regrade_items")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "submission"], name="one_regrade_item_per_submission")]
