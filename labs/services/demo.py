"""The demo course: one instructor, two students, every built-in lab assigned (idempotent)."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from labs.models import Assignment, Course, Enrollment, Lab

DEMO_COURSE_SLUG = "iam-roles-demo"
DEMO_COURSE_TITLE = "IAM roles and temporary credentials (demo course)"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_LOGINS = (
    DemoLogin("instructor", "instructor-demo-pass", "instructor"),
    DemoLogin("student1", "student1-demo-pass", "student"),
    DemoLogin("student2", "student2-demo-pass", "student"),
)


@transaction.atomic
def demo_course_load() -> tuple[DemoLogin, ...]:
    """Create (or reset the passwords of) the demo users and the demo course with every lab assigned."""
    users = {}
    for login in DEMO_LOGINS:
        user, _ = get_user_model().objects.get_or_create(username=login.username)
        user.set_password(login.password)
        user.is_staff = login.role == "instructor"
        user.save()
        users[login.username] = user
    course, _ = Course.objects.update_or_create(
        slug=DEMO_COURSE_SLUG, defaults={"title": DEMO_COURSE_TITLE, "instructor": users["instructor"]}
    )
    for position, lab in enumerate(Lab.objects.filter(published=True).order_by("slug")):
        Assignment.objects.update_or_create(course=course, lab=lab, defaults={"position": position})
    for login in DEMO_LOGINS:
        if login.role == "student":
            Enrollment.objects.get_or_create(course=course, student=users[login.username])
    return DEMO_LOGINS
