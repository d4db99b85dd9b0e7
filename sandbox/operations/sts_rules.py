"""STS (2011-06-15): the assume-role family, checked against the role's trust policy, and the rest.

The assume-role checks are marked `against_trust_policy`: the role's trust policy is their
resource-based policy and `sandbox/sts.py` evaluates them, with the caller's identity-based
policies for `sts:AssumeRole`. The keys of the request (`sts:ExternalId`, `sts:RoleSessionName`,
`sts:SourceIdentity`, `sts:TransitiveTagKeys`, `aws:RequestTag/*`, `aws:TagKeys`) go on each.
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
"""

from __future__ import annotations

import iam
from sandbox.operations.model import Authorization, Operation
from sandbox.operations.scope import Handler, Scope, anywhere, arn_account, optional, required, tag_pairs


def _trust_check(action: str, role_arn: str, context: iam.Context) -> Authorization:
    return Authorization(action, role_arn, context, resource_account=arn_account(role_arn), against_trust_policy=True)


def assume_role(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """`sts:AssumeRole`, plus `sts:TagSession` with session tags and `sts:SetSourceIdentity`.

    # AWS: passing session tags needs `sts:TagSession` (id_session-tags.html); setting a source
    identity needs `sts:SetSourceIdentity` (id_credentials_temp_control-access_monitor.html).
    """
    role_arn = required(operation, "RoleArn")
    tags = tag_pairs(operation.params.get("Tags"))
    transitive = operation.params.get("TransitiveTagKeys")
    source_identity = optional(operation, "SourceIdentity")
    context = iam.make_context(
        request_tags=tags or None,
        transitive_tag_keys=tuple(transitive) if transitive is not None else None,
        external_id=optional(operation, "ExternalId"),
        role_session_name=required(operation, "RoleSessionName"),
        source_identity=source_identity,
    )
    checks = [_trust_check("sts:AssumeRole", role_arn, context)]
    if tags:
        checks.append(_trust_check("sts:TagSession", role_arn, context))
    if source_identity is not None:
        checks.append(_trust_check("sts:SetSourceIdentity", role_arn, context))
    return tuple(checks)


def assume_role_with_saml(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """Unauthenticated: only the trust policy decides; the assertion's keys are `sandbox/sts.py`'s."""
    return (_trust_check("sts:AssumeRoleWithSAML", required(operation, "RoleArn"), iam.Context()),)


def assume_role_with_web_identity(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """Unauthenticated: only the trust policy decides; the token's keys are `sandbox/sts.py`'s."""
    context = iam.make_context(role_session_name=required(operation, "RoleSessionName"))
    return (_trust_check("sts:AssumeRoleWithWebIdentity", required(operation, "RoleArn"), context),)


def no_check(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """Calls no policy can deny.

    # AWS: GetCallerIdentity "No permissions are required to perform this operation. If an
    administrator attaches a policy to your identity that explicitly denies access to the
    sts:GetCallerIdentity action, you can still perform this operation" (API_GetCallerIdentity.html);
    GetSessionToken: "No permissions are required for a user to get a session token... You can
    include the GetSessionToken action in your policies, but it has no effect"
    (id_credentials_temp_control-access_getsessiontoken.html).
    """
    return ()


def on_any(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    return (anywhere(f"sts:{operation.name}", scope),)


HANDLERS: dict[str, Handler] = {
    "AssumeRole": assume_role,
    "AssumeRoleWithSAML": assume_role_with_saml,
    "AssumeRoleWithWebIdentity": assume_role_with_web_identity,
    "GetCallerIdentity": no_check,
    "GetSessionToken": no_check,
    "DecodeAuthorizationMessage": on_any,
    "GetAccessKeyInfo": on_any,
}
