"""Switch role for the console: always assumed with the learner's own (user) credentials, whatever role is active."""
from __future__ import annotations

from sandbox.identity import Identity
from sandbox.sts.switch_role import SwitchedRole, switch_role


def role_switch(
    *, user_identity: Identity, account: str, role_name: str, display_name: str = "", color: str = ""
) -> SwitchedRole:
    return switch_role(
        user_identity=user_identity, account=account, role_name=role_name, display_name=display_name, color=color
    )
