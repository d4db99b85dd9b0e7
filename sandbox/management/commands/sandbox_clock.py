"""`manage.py sandbox_clock USERNAME [--advance SECONDS | --reset]`: show or move a learner's teaching clock."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.clock import ClockError, clock_advance, clock_offset, clock_reset, real_now
from sandbox.models import Sandbox


class Command(BaseCommand):
    help = "Fast-forward a learner's sandbox clock (credentials expire by it), reset it, or show it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--advance", type=int, metavar="SECONDS", help="move the clock forward by SECONDS")
        group.add_argument("--reset", action="store_true", help="back to real time")

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = Sandbox.objects.filter(owner__username=options["username"]).first()
        if sandbox is None:
            raise CommandError(f"{options['username']} has no sandbox")
        try:
            if options["reset"]:
                clock_reset(sandbox)
            elif options["advance"] is not None:
                clock_advance(sandbox, options["advance"])
        except ClockError as error:
            raise CommandError(str(error)) from error
        offset = clock_offset(sandbox)
        moment = (real_now() + offset).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.stdout.write(f"sandbox time {moment} (offset {int(offset.total_seconds())} s)")
