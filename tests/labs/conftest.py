"""Course fixtures: an instructor with a course, an assignment of the first lab, an enrolled student."""
from __future__ import annotations

from datetime import datetime

import pytest

from labs.models import Assignment, Enrollment, Grade, Submission
from labs.services.courses import AssignmentSettings, assignment_create, course_create, instructor_grant
from labs.services.grading import GRADER_VERSION
from sandbox import provisioning, roles
from tests.sandbox.helpers import EC2_TRUST


def assignment_settings(lab, **overrides) -> AssignmentSettings:
    values = {"lab": lab, "opens_at": None, "due_at": None, "attempts": 0, "late_penalty": 0,
              "hide_scores_until_due": False, **overrides}
    return AssignmentSettings(**values)


def solve_first_role(user) -> None:
    """The reference solution of `first-role`: an EC2 role in the learner's home account."""
    roles.role_create(identity=provisioning.learner_identity(user=user), role_name="FirstEc2Role",
                      trust_policy=EC2_TRUST)


def graded_submit(student, assignment: Assignment, score: float, *, at: datetime | None = None,
                  status: str = Submission.Status.GRADED) -> Submission:
    """A submit with a stored grade of `score` (no sandbox needed), made at `at`."""
    submission = Submission.objects.create(student=student, lab=assignment.lab, assignment=assignment,
                                           kind=Submission.Kind.SUBMIT, status=status)
    if at is not None:
        Submission.objects.filter(pk=submission.pk).update(created_at=at)
        submission.refresh_from_db()
    if status == Submission.Status.GRADED:
        checks = [{"id": "role-exists", "title": {"en": "Role exists", "ko": "역할"}, "points": score * 4,
                   "max_points": 4.0, "passed": score == 1.0, "feedback": {"en": "fine", "ko": "좋음"},
                   "explanation": {}}]
        Grade.objects.create(submission=submission, grader_version=GRADER_VERSION, score=score,
                             result={"gradable": True, "score": score, "format_errors": [], "checks": checks})
    return submission


@pytest.fixture
def instructor(make_user):
    user = make_user("teacher")
    instructor_grant(user=user)
    return user


@pytest.fixture
def other_instructor(make_user):
    user = make_user("other-teacher")
    instructor_grant(user=user)
    return user


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def course(instructor):
    return course_create(instructor=instructor, title="IAM 101", description="Roles and trust")


@pytest.fixture
def course_lab(catalog):
    return catalog["first-role"]


@pytest.fixture
def assignment(course, course_lab):
    return assignment_create(course=course, settings=assignment_settings(course_lab))


@pytest.fixture
def enrolled(student, course):
    Enrollment.objects.create(course=course, student=student)
    return student
