"""Every sandbox call is decided by the `iam` engine: identity -> iam.Request -> Evaluation."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import iam
from sandbox.clock import sandbox_now
from sandbox.errors import AccessDenied
from sandbox.identity import Identity
from sandbox.moto_store import AccountBackends
from sandbox.policy_cache import stored_policy
from sandbox.scps import scp_levels

if TYPE_CHECKING:
    from moto.iam.models import ManagedPolicy, Role


def identity_policies(backends: AccountBackends, identity: Identity) -> tuple[iam.Policy, ...]:
    """The caller's identity-based policies: an IAM user's (inline, attached, groups') or a role session's role's.

    A role session whose role was deleted (or deleted and re-created: another role id) has none.
    """
    if identity.is_role_session:
        role = session_role(backends, identity)
        return tuple(_parsed(_role_policy_documents(role))) if role is not None else ()
    return tuple(_parsed(_user_policy_documents(backends, identity.name)))


def session_role(backends: AccountBackends, identity: Identity) -> Role | None:
    """The role a role session belongs to, if it still exists (by unique id, as AWS keeps it)."""
    if identity.session is None:
        return None
    role = backends.iam.roles.get(identity.session.role_id)
    return role if role is not None and role.name == identity.session.role_name else None


def _role_policy_documents(role: Role) -> Iterator[tuple[str, str]]:
    yield from role.policies.items()
    for policy in role.managed_policies.values():
        yield policy.name, _default_document(policy)


def _user_policy_documents(backends: AccountBackends, user_name: str) -> Iterator[tuple[str, str]]:
    user = backends.iam.users.get(user_name)
    if user is None:
        return
    yield from user.policies.items()
    for policy in user.managed_policies.values():
        yield policy.name, _default_document(policy)
    for group in backends.iam.get_groups_for_user(user_name):
        yield from group.policies.items()
        for policy in group.managed_policies.values():
            yield policy.name, _default_document(policy)


def user_boundary(backends: AccountBackends, identity: Identity) -> iam.Policy | None:
    """The permissions boundary of the caller's IAM user or role, if one is set."""
    if identity.is_role_session:
        role = session_role(backends, identity)
        arn = role.permissions_boundary_arn if role is not None else None
    else:
        user = backends.iam.users.get(identity.name)
        arn = getattr(user, "permissions_boundary_arn", None) if user is not None else None
    if not arn:
        return None
    policy = backends.iam.managed_policies.get(arn) or _aws_managed(backends, arn)
    if policy is None:
        return None
    return stored_policy(_default_document(policy), name=policy.name, kind=iam.PolicyKind.BOUNDARY)


def session_policies(backends: AccountBackends, identity: Identity) -> tuple[iam.Policy, ...]:
    """The session policies passed to AssumeRole (inline and managed): they cap every call the session makes."""
    session = identity.session
    if session is None or not session.is_role_session:
        return ()
    policies: list[iam.Policy] = []
    if session.session_policy:
        policies.append(stored_policy(session.session_policy, name="session policy", kind=iam.PolicyKind.SESSION))
    for arn in session.policy_arns:
        managed = backends.iam.managed_policies.get(arn) or _aws_managed(backends, arn)
        if managed is not None:
            policies.append(stored_policy(_default_document(managed), name=managed.name, kind=iam.PolicyKind.SESSION))
    if session.policy_arns and not policies:
        # Every managed session policy was deleted since: the session keeps its cap, which now allows nothing.
        policies.append(iam.parse_policy(_NOTHING, name="session policy", kind=iam.PolicyKind.SESSION))
    return tuple(policies)


_NOTHING = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "*", "Resource": "*"}]}'


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
            yield stored_policy(document, name=name, kind=iam.PolicyKind.IDENTITY)
        except iam.PolicySyntaxError:
            continue


@dataclass(frozen=True, slots=True)
class CallOrigin:
    """Where a call came from, for `aws:SourceIp` and `aws:SecureTransport`."""

    source_ip: str
    secure_transport: bool


def _principal_keys(identity: Identity, principal_tags: Mapping[str, str], now: datetime) -> dict[str, str | list[str]]:
    """Keys AWS derives from the caller: organization, tags, names, session facts. Absent keys are left out.

    For a role session `aws:PrincipalArn` is the role's ARN and there is no `aws:username`; temporary credentials
    add `aws:TokenIssueTime` and `aws:MultiFactorAuthPresent` (and `aws:MultiFactorAuthAge` after MFA).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    from sandbox.organizations import organization_ref, organization_root

    keys: dict[str, str | list[str]] = {
        "aws:PrincipalArn": identity.role_arn or identity.arn,
        "aws:PrincipalAccount": identity.account_id,
        "aws:PrincipalType": "User" if identity.type == "IAMUser" else identity.type,
        "aws:PrincipalIsAWSService": "false",
        "aws:userid": identity.principal_id,
    }
    if identity.type == "IAMUser":
        keys["aws:username"] = identity.name
    organization = organization_ref(identity.account_id)
    if organization is not None:
        keys["aws:PrincipalOrgID"] = organization.id
        keys["aws:PrincipalOrgPaths"] = [f"{organization.id}/{organization_root(organization.id)}/"]
    for key, value in principal_tags.items():
        keys[f"aws:PrincipalTag/{key}"] = value
    keys.update(session_keys(identity, now))
    return keys


def session_keys(identity: Identity, now: datetime) -> dict[str, str | list[str]]:
    """The condition keys temporary credentials bring; a federated session's also carry its identity provider's
    (`saml:sub`, `saml:sub_type`, `saml:namequalifier`, `aws:FederatedProvider`).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (aws:FederatedProvider)
    """
    session = identity.session
    if session is None:
        return {}
    keys: dict[str, str | list[str]] = dict(session.federated_keys)
    keys["aws:TokenIssueTime"] = _iso(session.issued_at)
    keys["aws:MultiFactorAuthPresent"] = "true" if session.mfa_authenticated else "false"
    if session.mfa_authenticated_at is not None:
        keys["aws:MultiFactorAuthAge"] = str(max(0, int((now - session.mfa_authenticated_at).total_seconds())))
    if session.source_identity:
        keys["aws:SourceIdentity"] = session.source_identity
    return keys


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def request_for(
    identity: Identity, *, action: str, resource: str, context: iam.Context | None = None,
    resource_account: str | None = None, principal_tags: Mapping[str, str] | None = None,
    origin: CallOrigin | None = None,
) -> iam.Request:
    """The engine's view of one call made by `identity`, with the request context AWS would build.

    Times are the sandbox's (its teaching clock may run ahead of real time).
    """
    moment = sandbox_now(identity.account_id)
    keys: dict[str, str | list[str]] = {
        "aws:CurrentTime": _iso(moment),
        "aws:EpochTime": str(int(moment.timestamp())),
        # The console is always reached over HTTPS in AWS; endpoint calls say how they arrived.
        "aws:SecureTransport": "true" if origin is None or origin.secure_transport else "false",
        **_principal_keys(identity, principal_tags or {}, moment),
    }
    if origin is not None and origin.source_ip:
        keys["aws:SourceIp"] = origin.source_ip
    merged = iam.make_context(keys)
    if context is not None:
        merged = merged.merged_with(context)
    return iam.Request(
        action=action, resource=resource, principal=engine_principal(identity), context=merged,
        resource_account=resource_account,
    )


def engine_principal(identity: Identity) -> iam.Principal:
    return iam.Principal.aws(identity.arn, unique_id=identity.principal_id, role_arn=identity.role_arn or None)


def principal_tags(backends: AccountBackends, identity: Identity) -> dict[str, str]:
    """The caller's `aws:PrincipalTag/<key>` values: the IAM user's tags, or for a role session the role's tags
    overridden (case-insensitively) by the session tags.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
    """
    if identity.is_role_session:
        role = session_role(backends, identity)
        tags = {tag["Key"]: tag["Value"] for tag in (role.tags if role is not None else [])}
        assert identity.session is not None  # noqa: S101 - a role session has one
        return merge_tags(tags, identity.session.tag_dict())
    if identity.type != "IAMUser":
        return {}
    tags_found = backends.iam.tagger.list_tags_for_resource(identity.arn).get("Tags", [])
    return {tag["Key"]: tag["Value"] for tag in tags_found}


def merge_tags(base: Mapping[str, str], override: Mapping[str, str]) -> dict[str, str]:
    """`override` wins over `base` for keys equal ignoring case (tag keys are case-insensitive, case-preserving)."""
    lowered = {key.lower() for key in override}
    merged = {key: value for key, value in base.items() if key.lower() not in lowered}
    merged.update(override)
    return merged


@dataclass(frozen=True, slots=True)
class CallerPolicies:
    """What limits the caller wherever the resource is: identity policies, boundary, session policies, SCPs, tags."""

    identity: tuple[iam.Policy, ...]
    boundary: iam.Policy | None
    session: tuple[iam.Policy, ...]
    scps: tuple[tuple[iam.Policy, ...], ...]
    tags: Mapping[str, str]

    def inputs(self, resource: iam.Policy | None = None) -> iam.PolicyInputs:
        return iam.PolicyInputs(
            identity=self.identity, resource=resource, boundary=self.boundary, session=self.session, scps=self.scps
        )


def caller_policies(backends: AccountBackends, identity: Identity) -> CallerPolicies:
    """Everything about the caller the engine needs, read from the caller's own account (`backends`)."""
    return CallerPolicies(
        identity=identity_policies(backends, identity),
        boundary=user_boundary(backends, identity),
        session=session_policies(backends, identity),
        scps=scp_levels(identity.account_id),
        tags=principal_tags(backends, identity),
    )


def authorize(
    backends: AccountBackends, identity: Identity, *, action: str, resource: str, context: iam.Context | None = None,
    resource_account: str | None = None, origin: CallOrigin | None = None,
) -> iam.Evaluation:
    """Decide `action` on `resource` for `identity`; raise AccessDenied (with the evaluation) unless allowed.

    `context` adds the call's own keys (request tags, `iam:PassedToService`...) to the caller's.
    """
    if origin is None and identity.source_ip:
        origin = CallOrigin(source_ip=identity.source_ip, secure_transport=identity.secure_transport)
    caller = caller_policies(backends, identity)
    request = request_for(
        identity, action=action, resource=resource, context=context, resource_account=resource_account,
        principal_tags=caller.tags, origin=origin,
    )
    evaluation = iam.evaluate(request, caller.inputs())
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
