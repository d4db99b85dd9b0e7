"""What the console keeps in the browser session about switched roles: the active one and the last five.

Views write it (they own the request); selectors read it.
"""
from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from sandbox.sts.switch_role import SwitchedRole

SWITCHED_KEY = "switched_role"
HISTORY_KEY = "role_history"
HISTORY_MAX = 5  # the console remembers the last five roles


def remember_switch(session: SessionBase, switched: SwitchedRole, *, account: str, role_name: str) -> None:
    session[SWITCHED_KEY] = {
        "key": switched.session.access_key_id, "display_name": switched.display_name, "color": switched.color,
        "account_id": switched.account_id, "role_name": role_name.strip().strip("/"),
    }
    entry = {"account": account.strip(), "role_name": role_name.strip().strip("/"),
             "display_name": switched.display_name, "color": switched.color}
    history = [item for item in session.get(HISTORY_KEY, []) if item != entry]
    session[HISTORY_KEY] = [entry, *history][:HISTORY_MAX]


def forget_switch(session: SessionBase) -> None:
    session.pop(SWITCHED_KEY, None)


def active_switch(session: SessionBase) -> dict[str, Any] | None:
    state = session.get(SWITCHED_KEY)
    return state if isinstance(state, dict) else None


def history(session: SessionBase) -> list[dict[str, Any]]:
    return list(session.get(HISTORY_KEY, []))[:HISTORY_MAX]
