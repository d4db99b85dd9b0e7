"""Operator tasks: reset a learner's sandbox to its start state, and storage statistics."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Length

from sandbox.clock import clock_reset
from sandbox.models import Account, AccountSnapshot, Ec2Instance, Event, LambdaFunction, Sandbox
from sandbox.moto_store import restore_start_state


def sandbox_reset(*, sandbox: Sandbox) -> tuple[str, ...]:
    """Put every account of the sandbox back to its recorded start state, and its teaching clock back to real
    time; the event history is kept.

    The start state has no instances or functions (our EC2 and Lambda keep theirs in the database).
    """
    with transaction.atomic():
        clock_reset(sandbox)
        account_ids = tuple(sandbox.accounts.order_by("account_id").values_list("account_id", flat=True))
        for account_id in account_ids:
            restore_start_state(account_id)
        Ec2Instance.objects.filter(account__sandbox=sandbox).delete()
        LambdaFunction.objects.filter(account__sandbox=sandbox).delete()
    return account_ids


@dataclass(frozen=True, slots=True)
class SandboxStats:
    learners: int
    accounts: int
    snapshots: int
    stored_bytes: int
    current_state_bytes: int
    events: int

    @property
    def current_bytes_per_learner(self) -> float:
        return self.current_state_bytes / self.learners if self.learners else 0.0


def sandbox_stats() -> SandboxStats:
    """How many learners and accounts there are, and what their state costs in the database."""
    snapshots = AccountSnapshot.objects.aggregate(count=Count("id"), size=Sum(Length("data")))
    current = AccountSnapshot.objects.filter(token=F("account__snapshot_token")).aggregate(size=Sum(Length("data")))
    return SandboxStats(
        learners=Sandbox.objects.count(),
        accounts=Account.objects.count(),
        snapshots=snapshots["count"] or 0,
        stored_bytes=snapshots["size"] or 0,
        current_state_bytes=current["size"] or 0,
        events=Event.objects.count(),
    )

