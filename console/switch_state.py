"""What the console keeps in the browser session about roles: the switched-to one, the last five, and the role a
SAML federated sign-in entered the console as (the base that "Switch back" returns to, as in AWS).

Views write it (they own the request); selectors read it.
"""
from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from sandbox.sts.switch_role import SwitchedRole

SWITCHED_KEY = "switched_role"
HISTORY_KEY = "role_history"
FEDERATED_KEY = "federated_role"
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


def remember_federated_sign_in(session: SessionBase, signed_in: SwitchedRole) -> None:
    """A SAML sign-in to the console: the console now acts as that role session, and any switched role ends."""
    session.pop(SWITCHED_KEY, None)
    session[FEDERATED_KEY] = {
        "key": signed_in.session.access_key_id, "display_name": signed_in.display_name, "color": signed_in.color,
        "account_id": signed_in.account_id, "role_name": signed_in.role_name,
    }


def forget_federated_sign_in(session: SessionBase) -> None:
    session.pop(FEDERATED_KEY, None)
    session.pop(SWITCHED_KEY, None)


def active_federated(session: SessionBase) -> dict[str, Any] | None:
    state = session.get(FEDERATED_KEY)
    return state if isinstance(state, dict) else None


def active_switch(session: SessionBase) -> dict[str, Any] | None:
    state = session.get(SWITCHED_KEY)
    return state if isinstance(state, dict) else None


def history(session: SessionBase) -> list[dict[str, Any]]:
    return list(session.get(HISTORY_KEY, []))[:HISTORY_MAX]
