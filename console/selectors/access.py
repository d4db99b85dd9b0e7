"""The signed-in learner's sandbox identity: their IAM user, or the role they switched to in this browser session."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _

from console.http import Origin, caller_origin
from console.switch_state import active_federated, active_switch, forget_federated_sign_in, forget_switch, history
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
    federated: bool = False  # the role a SAML sign-in entered the console as (no switch back, a sign-out instead)
    back_to: str = ""  # what "Switch back" returns to when it is not the IAM user: the federated role


def learner_identity(*, user: User, source_ip: str = "", secure_transport: bool = True) -> Identity:
    """Who the learner is in their sandbox (provisioned on first use), calling from their browser's address."""
    identity = provisioning.learner_identity(user=user)
    return with_origin(identity, source_ip=source_ip, secure_transport=secure_transport)


def _live(request: HttpRequest, user: User, state: dict[str, Any] | None) -> StsSession | None:
    """The role session a console state names, if it is this learner's and has not expired by the sandbox's clock."""
    if state is None:
        return None
    session = StsSession.objects.select_related("account").filter(
        access_key_id=str(state.get("key", "")), account__sandbox__owner=user
    ).first()
    if session is not None and sandbox_now(session.account.account_id) < session.expires_at:
        return session
    return None


def _federated_session(request: HttpRequest, user: User) -> StsSession | None:
    """The role a SAML sign-in entered the console as, while it lasts (then: back to the IAM user, with a notice)."""
    state = active_federated(request.session)
    session = _live(request, user, state)
    if state is not None and session is None:
        forget_federated_sign_in(request.session)
        messages.warning(request, _("Your federated session has expired. You are back to your IAM user."))
    return session


def _live_session(request: HttpRequest, user: User) -> StsSession | None:
    """The switched-to role session if it is this learner's and has not expired by the sandbox's clock.

    An expired (or foreign) one is forgotten, with a message saying whom the learner is back to.
    """
    state = active_switch(request.session)
    session = _live(request, user, state)
    if state is not None and session is None:
        forget_switch(request.session)
        if active_federated(request.session) is None:
            messages.warning(request, _("Your role session has expired. You are back to your IAM user."))
        else:
            messages.warning(request, _("Your role session has expired. You are back to your federated role."))
    return session


def _identity(session: StsSession, origin: Origin) -> Identity:
    return with_origin(session_identity(session, session.account.account_id), **origin)


def base_identity(request: HttpRequest, *, user: User) -> Identity:
    """Whom "Switch role" assumes roles with and "Switch back" returns to: the role a SAML sign-in entered the
    console as (so switching from it is role chaining, as in AWS), else the learner's IAM user."""
    federated = _federated_session(request, user)
    if federated is not None:
        return _identity(federated, caller_origin(request))
    return learner_identity(user=user, **caller_origin(request))


def console_identity(request: HttpRequest, *, user: User) -> Identity:
    """The identity the console acts as: the switched-to role session while it lasts, else the base identity."""
    session = _live_session(request, user)
    if session is not None:
        return _identity(session, caller_origin(request))
    return base_identity(request, user=user)


def switched_view(request: HttpRequest, *, user: User) -> SwitchedView | None:
    """What the top bar shows: the switched-to role, else the federated role, else nothing (the IAM user)."""
    federated = _federated_session(request, user) is not None
    base = active_federated(request.session) or {} if federated else {}
    if _live_session(request, user) is not None:
        state, back_to = active_switch(request.session) or {}, str(base.get("display_name", ""))
    elif federated:
        state, back_to = base, ""
    else:
        return None
    return SwitchedView(
        display_name=str(state.get("display_name", "")), color=COLORS.get(str(state.get("color", "")), NEUTRAL_COLOR),
        account_id=str(state.get("account_id", "")), role_name=str(state.get("role_name", "")),
        federated=state is base, back_to=back_to,
    )


def role_history(request: HttpRequest) -> list[dict[str, Any]]:
    """The last roles used, most recent first, each with its colour as hex."""
    return [
        {**entry, "color_hex": COLORS.get(str(entry.get("color", "")), NEUTRAL_COLOR)}
        for entry in history(request.session)
    ]
