"""Role writes for the console."""
from __future__ import annotations

from sandbox.identity import Identity
from sandbox.sts.revoke import revoke_role_sessions


def role_sessions_revoke(*, identity: Identity, role_name: str) -> str:
    """"Revoke active sessions": deny every session of the role issued before now."""
    return revoke_role_sessions(identity=identity, role_name=role_name)
