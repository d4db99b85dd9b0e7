"""Role writes for the console."""
from __future__ import annotations

from sandbox import roles
from sandbox.identity import Identity
from sandbox.roles import RoleInfo
from sandbox.sts.revoke import revoke_role_sessions


def role_create(*, identity: Identity, role_name: str, trust_policy: str, description: str = "") -> RoleInfo:
    """Create a role from the console form (the console has no path field: roles get `/`)."""
    return roles.role_create(identity=identity, role_name=role_name, trust_policy=trust_policy, description=description)


def role_sessions_revoke(*, identity: Identity, role_name: str) -> str:
    """"Revoke active sessions": deny every session of the role issued before now."""
    return revoke_role_sessions(identity=identity, role_name=role_name)
