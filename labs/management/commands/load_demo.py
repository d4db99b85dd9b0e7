"""`manage.py load_demo`: the demo course and its users; prints the logins."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from labs.models import Assignment
from labs.services.courses import instructor_grant
from labs.services.demo import DEMO_COURSE_SLUG, demo_course_load

# (lab slug, attempts, days until due, late penalty % per day, hide scores until due)
DEMO_ASSIGNMENTS = (
    ("first-role", 3, 7, 10, False),
    ("external-id", 2, 14, 20, True),
)


def demo_assignments_configure() -> None:
    """Give a couple of the demo course's assignments dates, attempts and a penalty (once: edits are kept)."""
    now = timezone.now().replace(second=0, microsecond=0)
    for slug, attempts, days, penalty, hidden in DEMO_ASSIGNMENTS:
        Assignment.objects.filter(
            course__slug=DEMO_COURSE_SLUG, lab__slug=slug, lab__published=True, attempts=0, due_at=None
        ).update(opens_at=now, due_at=now + timedelta(days=days), attempts=attempts, late_penalty=penalty,
                 hide_scores_until_due=hidden)


class Command(BaseCommand):
    help = "Create the demo course with one instructor and two students, and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_course_load()
        for login in logins:
            if login.role == "instructor":
                instructor_grant(user=User.objects.get(username=login.username))
        demo_assignments_configure()
        for login in logins:
            self.stdout.write(f"  {login.role:<10} {login.username:<10} / {login.password}")
