"""IAM entity ARNs as IAM checks them (path included) and the keys that come from the entity."""

from __future__ import annotations

from typing import Literal

from sandbox.operations.model import RequestRejected
from sandbox.operations.scope import Scope

EntityKind = Literal["role", "user", "group", "instance-profile", "server-certificate"]

NON_USER_CREDENTIALS = "Must specify userName when calling with non-User credentials"
"""IAM's message when a call that defaults to the calling user is made by a role session."""


def entity_arn(kind: EntityKind, name: str, scope: Scope) -> str:
    """The ARN of the entity `name`, with its path; path-less when it does not exist (yet).

    # AWS: IAM authorizes against the entity's real ARN, which includes its path
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
    """
    lookups = {
        "role": scope.resolve.role_arn,
        "user": scope.resolve.user_arn,
        "group": scope.resolve.group_arn,
        "instance-profile": scope.resolve.instance_profile_arn,
        "server-certificate": scope.resolve.server_certificate_arn,
    }
    return lookups[kind](name) or scope.arn("iam", f"{kind}/{name}")


def calling_user_arn(scope: Scope) -> str:
    """The caller as the user an IAM call defaults to when it names no `UserName`.

    # AWS: "If you do not specify a user name, IAM determines the user name implicitly based on
    the AWS access key ID signing the request" (e.g. API_ListAccessKeys.html); role sessions get
    a validation error. The root user acts on itself.
    """
    caller = scope.caller_arn or ""
    resource = caller.split(":", 5)[-1]
    if ":iam::" in caller and (resource == "root" or resource.startswith("user/")):
        return caller
    raise RequestRejected("ValidationError", NON_USER_CREDENTIALS)


def user_or_caller(user_name: str | None, scope: Scope) -> str:
    """The user `user_name`, or the calling user when the call names none."""
    return entity_arn("user", user_name, scope) if user_name else calling_user_arn(scope)


def path_of(arn: str) -> str:
    """The path of an IAM entity from its ARN: `.../user/app/bob` gives `/app/`."""
    resource = arn.split(":", 5)[-1]
    folders = resource.split("/")[1:-1]
    return "/" + "".join(f"{folder}/" for folder in folders)


def boundary_keys(entity: str, scope: Scope) -> dict[str, str]:
    """`iam:PermissionsBoundary` as the boundary currently set on the role or user, if any.

    # AWS: on calls that change an existing role or user the key is the entity's current
    boundary (the delegation example in access_policies_boundaries.html allows
    `iam:PutUserPolicy`, `iam:DeleteUserPolicy`... only where `iam:PermissionsBoundary` is the
    company boundary).
    """
    boundary = scope.resolve.permissions_boundary(entity)
    return {"iam:PermissionsBoundary": boundary} if boundary else {}
