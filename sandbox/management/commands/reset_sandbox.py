"""`manage.py reset_sandbox USERNAME`: put a learner's accounts back to their recorded start state."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.maintenance import sandbox_reset
from sandbox.models import Sandbox


class Command(BaseCommand):
    help = "Restore every account of a learner's sandbox to the state it had right after provisioning."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = Sandbox.objects.filter(owner__username=options["username"]).first()
        if sandbox is None:
            raise CommandError(f"{options['username']} has no sandbox")
        for account_id in sandbox_reset(sandbox=sandbox):
            self.stdout.write(f"reset account {account_id}")
