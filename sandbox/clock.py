"""The teaching clock: each sandbox's time is real time plus an offset that instructors and labs can move forward.

Every expiry check (temporary credentials, MFA age, revocation times) reads this clock, so a learner can watch a
one-hour session expire without waiting an hour. TOTP codes are the exception: authenticator apps use real time.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        raise ClockError(_("The sandbox clock only moves forward; reset it to return to real time."))
    current = clock_offset(sandbox)
    if current.total_seconds() + seconds > MAX_OFFSET_SECONDS:
        days = MAX_OFFSET_SECONDS // 86400
        raise ClockError(_("The sandbox clock cannot run more than %(days)d days ahead.") % {"days": days})
    Sandbox.objects.filter(pk=sandbox.pk).update(clock_offset_seconds=F("clock_offset_seconds") + seconds)
    _OFFSETS.clear()
    return clock_offset(sandbox)


def clock_reset(sandbox: Sandbox) -> None:
    """Back to real time. Sessions issued in the future keep their (later) expiry."""
    Sandbox.objects.filter(pk=sandbox.pk).update(clock_offset_seconds=0)
    _OFFSETS.clear()


def account_sandbox(account_id: str) -> Sandbox:
    return Account.objects.select_related("sandbox").get(account_id=account_id).sandbox


def duration_text(seconds: int) -> str:
    """`1 hour 15 minutes`, `45 minutes`, `2 days`: how far a clock is ahead, or a fast-forward step, in words."""
    days, rest = divmod(max(0, int(seconds)), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        ngettext("%(count)d day", "%(count)d days", days) % {"count": days} if days else "",
        ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours} if hours else "",
        ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes} if minutes else "",
        ngettext("%(count)d second", "%(count)d seconds", secs) % {"count": secs} if secs else "",
    ]
    return " ".join(part for part in parts if part) or ngettext("%(count)d second", "%(count)d seconds", 0) % {
        "count": 0}
