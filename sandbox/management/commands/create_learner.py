"""`manage.py create_learner USERNAME [--password PW] --json`: a platform user with a provisioned sandbox."""
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sandbox.learners import learner_create


class Command(BaseCommand):
    help = "Create (or return, if it exists) a learner with a provisioned sandbox, and print their credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", help="set this sign-in password (default: none, or keep the existing one)")
        parser.add_argument("--json", action="store_true", help="print one JSON object (the only format)")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = learner_create(username=options["username"], password=options["password"])
        self.stdout.write(json.dumps(summary.as_json()))
