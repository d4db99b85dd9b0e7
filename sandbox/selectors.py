"""Sandbox reads that need only the database (no moto): cheap enough for every page."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from sandbox.clock import duration_text
from sandbox.models import Account


@dataclass(frozen=True, slots=True)
class AccountMenu:
    """What the console's top bar shows: `user @ account id`."""

    user_name: str
    account_id: str
    clock_ahead_seconds: int = 0  # the sandbox's teaching clock runs this far ahead of real time

    @property
    def clock_ahead_text(self) -> str:
        return duration_text(self.clock_ahead_seconds)


def account_menu_get(*, user: User) -> AccountMenu | None:
    """The signed-in learner's home account and IAM user name, or None before their sandbox exists."""
    account = Account.objects.filter(sandbox__owner=user, is_home=True).select_related("sandbox").first()
    if account is None:
        return None
    return AccountMenu(user_name=account.sandbox.home_user_name, account_id=account.account_id,
                       clock_ahead_seconds=account.sandbox.clock_offset_seconds)
