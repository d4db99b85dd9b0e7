"""Celery tasks for the sandbox: periodic housekeeping."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="sandbox.events_prune", soft_time_limit=120, time_limit=150)
def events_prune() -> int:
    from sandbox.events import events_prune as prune

    return prune()
