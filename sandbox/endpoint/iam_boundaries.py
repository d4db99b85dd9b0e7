"""Permissions boundaries of IAM users: moto stores none, so the sandbox keeps them on moto's user objects."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox import managed_policies
from sandbox.endpoint.dispatch import MotoResponse, iam_error, iam_ok
from sandbox.moto_store import AccountBackends

USER_BOUNDARY_CALLS = frozenset({"PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary"})
NO_SUCH_USER = "The user with name {name} cannot be found."
NO_SUCH_POLICY = "Policy {arn} does not exist or is not attachable."
NO_BOUNDARY = "The user {name} does not have a permissions boundary."  # best guess at AWS's wording


def policy_exists(backends: AccountBackends, arn: str) -> bool:
    return managed_policies.ensure_available(backends.iam, arn) or arn in backends.iam.managed_policies


def user_boundary_call(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> MotoResponse:
    """PutUserPermissionsBoundary / DeleteUserPermissionsBoundary, as IAM answers them."""
    user = backends.iam.users.get(str(params.get("UserName", "")))
    if user is None:
        return iam_error("NoSuchEntity", NO_SUCH_USER.format(name=params.get("UserName", "")), 404)
    if name == "DeleteUserPermissionsBoundary":
        if getattr(user, "permissions_boundary_arn", None) is None:
            return iam_error("NoSuchEntity", NO_BOUNDARY.format(name=user.name), 404)
        _set_boundary(user, None)
        return iam_ok(name)
    arn = str(params.get("PermissionsBoundary", ""))
    if not policy_exists(backends, arn):
        return iam_error("NoSuchEntity", NO_SUCH_POLICY.format(arn=arn), 404)
    _set_boundary(user, arn)
    return iam_ok(name)


def set_boundary_on_create(backends: AccountBackends, params: Mapping[str, Any]) -> MotoResponse | None:
    """CreateUser with PermissionsBoundary: refuse an unknown policy before moto creates the user."""
    arn = params.get("PermissionsBoundary")
    if isinstance(arn, str) and not policy_exists(backends, arn):
        return iam_error("NoSuchEntity", NO_SUCH_POLICY.format(arn=arn), 404)
    return None


def remember_boundary(backends: AccountBackends, params: Mapping[str, Any]) -> None:
    arn = params.get("PermissionsBoundary")
    user = backends.iam.users.get(str(params.get("UserName", "")))
    if isinstance(arn, str) and user is not None:
        _set_boundary(user, arn)


def _set_boundary(user: Any, arn: str | None) -> None:
    # moto's User has no such attribute: the same name moto uses on roles, read by managed_policies' counts too.
    user.permissions_boundary_arn = arn
