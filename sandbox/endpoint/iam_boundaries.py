"""Permissions boundaries of IAM users: moto stores none, so the sandbox keeps them on moto's user objects."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox import managed_policies
from sandbox.endpoint.dispatch import MotoResponse
from sandbox.endpoint.responses import NAMESPACES
from sandbox.moto_store import AccountBackends

USER_BOUNDARY_CALLS = frozenset({"PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary"})
NO_SUCH_USER = "The user with name {name} cannot be found."
NO_SUCH_POLICY = "Policy {arn} does not exist or is not attachable."
NO_BOUNDARY = "The user {name} does not have a permissions boundary."  # best guess at AWS's wording


def _error(code: str, message: str, status: int) -> MotoResponse:
    body = (
        f'<ErrorResponse xmlns="{NAMESPACES["iam"]}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>-</RequestId></ErrorResponse>"
    )
    return MotoResponse(status, {"Content-Type": "text/xml"}, body.encode())


def _ok(action: str) -> MotoResponse:
    body = (
        f'<{action}Response xmlns="{NAMESPACES["iam"]}"><ResponseMetadata><RequestId>-</RequestId>'
        f"</ResponseMetadata></{action}Response>"
    )
    return MotoResponse(200, {"Content-Type": "text/xml"}, body.encode())


def policy_exists(backends: AccountBackends, arn: str) -> bool:
    return managed_policies.ensure_available(backends.iam, arn) or arn in backends.iam.managed_policies


def user_boundary_call(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> MotoResponse:
    """PutUserPermissionsBoundary / DeleteUserPermissionsBoundary, as IAM answers them."""
    user = backends.iam.users.get(str(params.get("UserName", "")))
    if user is None:
        return _error("NoSuchEntity", NO_SUCH_USER.format(name=params.get("UserName", "")), 404)
    if name == "DeleteUserPermissionsBoundary":
        if getattr(user, "permissions_boundary_arn", None) is None:
            return _error("NoSuchEntity", NO_BOUNDARY.format(name=user.name), 404)
        _set_boundary(user, None)
        return _ok(name)
    arn = str(params.get("PermissionsBoundary", ""))
    if not policy_exists(backends, arn):
        return _error("NoSuchEntity", NO_SUCH_POLICY.format(arn=arn), 404)
    _set_boundary(user, arn)
    return _ok(name)


def set_boundary_on_create(backends: AccountBackends, params: Mapping[str, Any]) -> MotoResponse | None:
    """CreateUser with PermissionsBoundary: refuse an unknown policy before moto creates the user."""
    arn = params.get("PermissionsBoundary")
    if isinstance(arn, str) and not policy_exists(backends, arn):
        return _error("NoSuchEntity", NO_SUCH_POLICY.format(arn=arn), 404)
    return None


def remember_boundary(backends: AccountBackends, params: Mapping[str, Any]) -> None:
    arn = params.get("PermissionsBoundary")
    user = backends.iam.users.get(str(params.get("UserName", "")))
    if isinstance(arn, str) and user is not None:
        _set_boundary(user, arn)


def _set_boundary(user: Any, arn: str | None) -> None:
    # moto's User has no such attribute: the same name moto uses on roles, read by managed_policies' counts too.
    user.permissions_boundary_arn = arn
