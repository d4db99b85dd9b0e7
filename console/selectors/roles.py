"""Role reads for the console."""
from __future__ import annotations

from sandbox import roles
from sandbox.identity import Identity
from sandbox.roles import RoleInfo


def role_list(*, identity: Identity, query: str = "") -> tuple[RoleInfo, ...]:
    """The account's roles, filtered by a case-insensitive search on the name, as the console's search box does."""
    found = roles.role_list(identity=identity)
    needle = query.strip().lower()
    return tuple(role for role in found if needle in role.name.lower()) if needle else found


def role_get(*, identity: Identity, role_name: str) -> RoleInfo:
    return roles.role_get(identity=identity, role_name=role_name)
