"""The teaching clock: each sandbox's time is real time plus an offset that instructors and labs can move forward.

Every expiry check (temporary credentials, MFA age, revocation times) reads this clock, so a learner can watch a
one-hour session expire without waiting an hour. TOTP codes are the exception: authenticator apps use real time.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.db.models import F

from sandbox.models import Account, Sandbox

MAX_OFFSET_SECONDS = 366 * 24 * 3600  # a year either way is plenty for any lab


class ClockError(ValueError):
    """An offset the clock refuses."""


def real_now() -> datetime:
    return datetime.now(UTC)


def offset_for_account(account_id: str) -> timedelta:
    """The clock offset of the sandbox that holds `account_id` (zero for an unknown account).

    Remembered for a second per process: every call reads it, and an instructor's change reaches other processes
    within that second (this process forgets at once).
    """
    moment = time.monotonic()
    cached = _OFFSETS.get(account_id)
    if cached is not None and cached[0] > moment:
        return cached[1]
    seconds = Sandbox.objects.filter(accounts__account_id=account_id).values_list("clock_offset_seconds", flat=True)
    offset = timedelta(seconds=next(iter(seconds), 0))
    if len(_OFFSETS) > _OFFSETS_MAX:
        _OFFSETS.clear()
    _OFFSETS[account_id] = (moment + OFFSET_CACHE_SECONDS, offset)
    return offset


OFFSET_CACHE_SECONDS = 1.0
_OFFSETS_MAX = 10_000
_OFFSETS: dict[str, tuple[float, timedelta]] = {}


def sandbox_now(account_id: str) -> datetime:
    """The current time in the sandbox that holds `account_id`."""
    return real_now() + offset_for_account(account_id)


def clock_offset(sandbox: Sandbox) -> timedelta:
    sandbox.refresh_from_db(fields=["clock_offset_seconds"])
    return timedelta(seconds=sandbox.clock_offset_seconds)


def clock_advance(sandbox: Sandbox, seconds: int) -> timedelta:
    """Move the sandbox's clock forward by `seconds` (atomically: two instructors advancing add up)."""
    if seconds < 0:
        raise ClockError("The sandbox clock only moves forward; reset it to return to real time.")
    current = clock_offset(sandbox)
    if current.total_seconds() + seconds > MAX_OFFSET_SECONDS:
        raise ClockError(f"The sandbox clock cannot run more than {MAX_OFFSET_SECONDS // 86400} days ahead.")
    Sandbox.objects.filter(pk=sandbox.pk).update(clock_offset_seconds=F("clock_offset_seconds") + seconds)
    _OFFSETS.clear()
    return clock_offset(sandbox)


def clock_reset(sandbox: Sandbox) -> None:
    """Back to real time. Sessions issued in the future keep their (later) expiry."""
    Sandbox.objects.filter(pk=sandbox.pk).update(clock_offset_seconds=0)
    _OFFSETS.clear()


def account_sandbox(account_id: str) -> Sandbox:
    return Account.objects.select_related("sandbox").get(account_id=account_id).sandbox
