"""`manage.py prune_events [--days N]`: delete event history older than the retention."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sandbox.events import events_prune


class Command(BaseCommand):
    help = "Delete events older than EVENT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"deleted {events_prune(retention_days=options['days'])} event(s)")
