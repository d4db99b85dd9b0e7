"""`manage.py sandbox_stats`: learners, accounts and the bytes their state takes."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sandbox.maintenance import sandbox_stats


class Command(BaseCommand):
    help = "Print how many learners and accounts there are and how much their stored state takes."

    def handle(self, *args: Any, **options: Any) -> None:
        stats = sandbox_stats()
        self.stdout.write(f"learners                {stats.learners}")
        self.stdout.write(f"accounts                {stats.accounts}")
        self.stdout.write(f"snapshots stored        {stats.snapshots} ({stats.stored_bytes:,} bytes)")
        self.stdout.write(f"current state           {stats.current_state_bytes:,} bytes")
        self.stdout.write(f"current state / learner {stats.current_bytes_per_learner:,.0f} bytes")
        self.stdout.write(f"events                  {stats.events}")
