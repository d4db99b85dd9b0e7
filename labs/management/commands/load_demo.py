"""`manage.py load_demo`: the demo course and its users; prints the logins."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from labs.services.demo import demo_course_load


class Command(BaseCommand):
    help = "Create the demo course with one instructor and two students, and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        for login in demo_course_load():
            self.stdout.write(f"  {login.role:<10} {login.username:<10} / {login.password}")
