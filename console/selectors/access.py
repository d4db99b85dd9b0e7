"""The signed-in learner's sandbox identity: their IAM user, or the role they switched to in this browser session."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _

from console.switch_state import active_switch, forget_switch, history
from sandbox import provisioning
from sandbox.clock import sandbox_now
from sandbox.identity import Identity, with_origin
from sandbox.models import StsSession
from sandbox.sts.sessions import session_identity
from sandbox.sts.switch_role import COLORS

NEUTRAL_COLOR = "d5dbdb"


@dataclass(frozen=True, slots=True)
class SwitchedView:
    """What the top bar shows while a role is active."""

    display_name: str
    color: str  # hex, without '#'
    account_id: str
    role_name: str


def learner_identity(*, user: User, source_ip: str = "", secure_transport: bool = True) -> Identity:
    """Who the learner is in their sandbox (provisioned on first use), calling from their browser's address."""
    identity = provisioning.learner_identity(user=user)
    return with_origin(identity, source_ip=source_ip, secure_transport=secure_transport)


def _live_session(request: HttpRequest, user: User) -> StsSession | None:
    """The switched-to role session if it is this learner's and has not expired by the sandbox's clock.

    An expired (or foreign) one is forgotten, with a message saying the learner is back to their IAM user.
    """
    state = active_switch(request.session)
    if state is None:
        return None
    session = StsSession.objects.select_related("account").filter(
        access_key_id=str(state.get("key", "")), account__sandbox__owner=user
    ).first()
    if session is not None and sandbox_now(session.account.account_id) < session.expires_at:
        return session
    forget_switch(request.session)
    messages.warning(request, _("Your role session has expired. You are back to your IAM user."))
    return None


def console_identity(request: HttpRequest, *, user: User) -> Identity:
    """The identity the console acts as: the switched-to role session while it lasts, else the IAM user."""
    origin = {"source_ip": request.META.get("REMOTE_ADDR", ""), "secure_transport": request.is_secure()}
    session = _live_session(request, user)
    if session is not None:
        return with_origin(session_identity(session, session.account.account_id), **origin)
    return learner_identity(user=user, **origin)


def switched_view(request: HttpRequest, *, user: User) -> SwitchedView | None:
    if _live_session(request, user) is None:
        return None
    state = active_switch(request.session) or {}
    return SwitchedView(
        display_name=str(state.get("display_name", "")), color=COLORS.get(str(state.get("color", "")), NEUTRAL_COLOR),
        account_id=str(state.get("account_id", "")), role_name=str(state.get("role_name", "")),
    )


def role_history(request: HttpRequest) -> list[dict[str, Any]]:
    """The last roles used, most recent first, each with its colour as hex."""
    return [
        {**entry, "color_hex": COLORS.get(str(entry.get("color", "")), NEUTRAL_COLOR)}
        for entry in history(request.session)
    ]
