"""Lab, Course, Enrollment, Assignment, Submission and Grade."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses_taught")
    labs = models.ManyToManyField(Lab, through="Assignment", related_name="courses")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "student"], name="one_enrollment_per_student")]


class Assignment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="assignments")
    position = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "lab"], name="one_assignment_per_lab")]


class Submission(models.Model):
    """One "Check my progress": queued -> grading -> graded | not_gradable | error."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        GRADING = "grading", _("Grading")
        GRADED = "graded", _("Graded")
        NOT_GRADABLE = "not_gradable", _("Not gradable")
        ERROR = "error", _("Error")

    FINAL = frozenset({Status.GRADED, Status.NOT_GRADABLE, Status.ERROR})

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["student", "lab", "-created_at"])]

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class LabStart(models.Model):
    """A learner started a lab: its setup was applied to their sandbox (for this version)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_starts")
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="starts")
    version = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "lab"], name="one_start_per_student_lab")]


class Grade(models.Model):
    """The result of grading one submission with one grader version (GradeResult as JSON)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="grades")
    grader_version = models.CharField(max_length=40)
    lab_version = models.PositiveIntegerField(default=1)
    snapshot = models.JSONField(default=dict)  # account id -> snapshot token graded (a regrade can name them)
    score = models.FloatField()
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "grader_version"], name="one_grade_per_grader_version")
        ]
