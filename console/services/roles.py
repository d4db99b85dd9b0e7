"""Role writes for the console."""
from __future__ import annotations

from sandbox import roles
from sandbox.identity import Identity
from sandbox.roles import RoleInfo


def role_create(*, identity: Identity, role_name: str, trust_policy: str, description: str = "") -> RoleInfo:
    """Create a role from the console form (the console has no path field: roles get `/`)."""
    return roles.role_create(identity=identity, role_name=role_name, trust_policy=trust_policy, description=description)
