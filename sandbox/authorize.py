"""Every sandbox call is decided by the `iam` engine: identity -> iam.Request -> Evaluation."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import iam
from sandbox.errors import AccessDenied
from sandbox.identity import Identity
from sandbox.moto_store import AccountBackends
from sandbox.scps import scp_levels

if TYPE_CHECKING:
    from moto.iam.models import ManagedPolicy


def identity_policies(backends: AccountBackends, identity: Identity) -> tuple[iam.Policy, ...]:
    """The identity-based policies of an IAM user: inline, attached, and those of its groups."""
    return tuple(_parsed(_user_policy_documents(backends, identity.name)))


def _user_policy_documents(backends: AccountBackends, user_name: str) -> Iterator[tuple[str, str]]:
    user = backends.iam.get_user(user_name)
    yield from user.policies.items()
    for policy in user.managed_policies.values():
        yield policy.name, _default_document(policy)
    for group in backends.iam.get_groups_for_user(user_name):
        yield from group.policies.items()
        for policy in group.managed_policies.values():
            yield policy.name, _default_document(policy)


def user_boundary(backends: AccountBackends, identity: Identity) -> iam.Policy | None:
    """The IAM user's permissions boundary, if one is set (the maximum its identity policies can grant)."""
    user = backends.iam.users.get(identity.name)
    arn = getattr(user, "permissions_boundary_arn", None) if user is not None else None
    if arn is None:
        return None
    policy = backends.iam.managed_policies.get(arn) or _aws_managed(backends, arn)
    if policy is None:
        return None
    return iam.parse_policy(_default_document(policy), name=policy.name, kind=iam.PolicyKind.BOUNDARY, check_size=False)


def _aws_managed(backends: AccountBackends, arn: str) -> ManagedPolicy | None:
    from sandbox import managed_policies

    return backends.iam.managed_policies.get(arn) if managed_policies.ensure_available(backends.iam, arn) else None


def _default_document(policy: ManagedPolicy) -> str:
    """The document of a managed policy's default version (the one AWS evaluates)."""
    return next(str(version.document) for version in policy.versions if version.version_id == policy.default_version_id)


def _parsed(documents: Iterator[tuple[str, str]]) -> Iterator[iam.Policy]:
    for name, document in documents:
        # Stored documents were validated when they were written; one that no longer parses grants nothing.
        try:
            # Size quotas were enforced when the document was written, and AWS managed ones are exempt.
            yield iam.parse_policy(document, name=name, kind=iam.PolicyKind.IDENTITY, check_size=False)
        except iam.PolicySyntaxError:
            continue


@dataclass(frozen=True, slots=True)
class CallOrigin:
    """Where a call came from, for `aws:SourceIp` and `aws:SecureTransport`."""

    source_ip: str
    secure_transport: bool


def _principal_keys(identity: Identity, principal_tags: Mapping[str, str]) -> dict[str, str | list[str]]:
    """Keys AWS derives from the caller: organization, tags, names. Absent keys are simply left out."""
    from sandbox.organizations import organization_ref, organization_root

    keys: dict[str, str | list[str]] = {
        "aws:PrincipalArn": identity.arn,
        "aws:PrincipalAccount": identity.account_id,
        "aws:PrincipalType": "User" if identity.type == "IAMUser" else identity.type,
        "aws:PrincipalIsAWSService": "false",
        "aws:username": identity.name,
        "aws:userid": identity.principal_id,
    }
    organization = organization_ref(identity.account_id)
    if organization is not None:
        keys["aws:PrincipalOrgID"] = organization.id
        keys["aws:PrincipalOrgPaths"] = [f"{organization.id}/{organization_root(organization.id)}/"]
    for key, value in principal_tags.items():
        keys[f"aws:PrincipalTag/{key}"] = value
    return keys


def request_for(
    identity: Identity, *, action: str, resource: str, context: iam.Context | None = None,
    resource_account: str | None = None, principal_tags: Mapping[str, str] | None = None,
    origin: CallOrigin | None = None,
) -> iam.Request:
    """The engine's view of one call made by `identity`, with the request context AWS would build."""
    moment = datetime.now(UTC)
    keys: dict[str, str | list[str]] = {
        "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(moment.timestamp())),
        # The console is always reached over HTTPS in AWS; endpoint calls say how they arrived.
        "aws:SecureTransport": "true" if origin is None or origin.secure_transport else "false",
        **_principal_keys(identity, principal_tags or {}),
    }
    if origin is not None and origin.source_ip:
        keys["aws:SourceIp"] = origin.source_ip
    merged = iam.make_context(keys)
    if context is not None:
        merged = merged.merged_with(context)
    principal = iam.Principal.aws(identity.arn, unique_id=identity.principal_id)
    return iam.Request(
        action=action, resource=resource, principal=principal, context=merged, resource_account=resource_account
    )


def user_tags(backends: AccountBackends, identity: Identity) -> dict[str, str]:
    """The IAM user's tags: they become `aws:PrincipalTag/<key>` in every request it makes."""
    if identity.type != "IAMUser":
        return {}
    tags = backends.iam.tagger.list_tags_for_resource(identity.arn).get("Tags", [])
    return {tag["Key"]: tag["Value"] for tag in tags}


def authorize(
    backends: AccountBackends, identity: Identity, *, action: str, resource: str, context: iam.Context | None = None,
    resource_account: str | None = None, origin: CallOrigin | None = None,
) -> iam.Evaluation:
    """Decide `action` on `resource` for `identity`; raise AccessDenied (with the evaluation) unless allowed.

    `context` adds the call's own keys (request tags, `iam:PassedToService`...) to the caller's.
    """
    if origin is None and identity.source_ip:
        origin = CallOrigin(source_ip=identity.source_ip, secure_transport=identity.secure_transport)
    request = request_for(
        identity, action=action, resource=resource, context=context, resource_account=resource_account,
        principal_tags=user_tags(backends, identity), origin=origin,
    )
    inputs = iam.PolicyInputs(
        identity=identity_policies(backends, identity),
        boundary=user_boundary(backends, identity),
        scps=scp_levels(identity.account_id),
    )
    evaluation = iam.evaluate(request, inputs)
    if evaluation.decision != iam.Decision.ALLOW:
        raise AccessDenied(denial_message(identity, action, resource, evaluation), extra={"evaluation": evaluation})
    return evaluation


POLICY_WORDS = {
    iam.PolicyKind.SCP: "service control policy",
    iam.PolicyKind.RESOURCE: "resource-based policy",
    iam.PolicyKind.IDENTITY: "identity-based policy",
    iam.PolicyKind.BOUNDARY: "permissions boundary",
    iam.PolicyKind.SESSION: "session policy",
}
# AWS names the first guard, in evaluation order, that refused.
_ORDER = (iam.PolicyKind.SCP, iam.PolicyKind.RESOURCE, iam.PolicyKind.IDENTITY, iam.PolicyKind.BOUNDARY,
          iam.PolicyKind.SESSION)


def denial_message(identity: Identity, action: str, resource: str, evaluation: iam.Evaluation) -> str:
    """AWS's wording for an access-denied error, naming the kind of policy that denied.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    blocked = [kind for kind in _ORDER if kind in evaluation.blocked_by] or [iam.PolicyKind.IDENTITY]
    words = POLICY_WORDS[blocked[0]]
    if evaluation.decision == iam.Decision.EXPLICIT_DENY:
        article = "an" if words[0] in "aeiou" else "a"
        because = f"with an explicit deny in {article} {words}"
    else:
        because = f"because no {words} allows the {action} action"
    return f"User: {identity.arn} is not authorized to perform: {action} on resource: {resource} {because}"
