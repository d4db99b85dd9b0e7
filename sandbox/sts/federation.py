"""What AssumeRoleWithSAML and AssumeRoleWithWebIdentity share once the identity provider's proof checked out: the
trust policy decides for a `Federated` principal with the provider's keys, then a role session as AssumeRole makes.

The caller is no AWS principal: no identity-based policy, boundary or SCP of the caller applies, only the role's
trust policy (`sts:AssumeRoleWith*`, `sts:TagSession` for the provider's tags, `sts:SetSourceIdentity`).
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers.html
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import iam
from sandbox.authorize import CallOrigin
from sandbox.clock import sandbox_now
from sandbox.errors import AccessDenied, AwsError
from sandbox.models import Account
from sandbox.policy_cache import stored_policy
from sandbox.sts import sessions
from sandbox.sts.assume_role import (
    AssumedRole,
    TargetRole,
    check_session_policies,
    new_role_session,
    parse_role_arn,
    role_duration,
    role_lookup,
    session_packed_size,
    tag_keys,
)
from sandbox.sts.tags import SessionTags, session_tags

NOT_AUTHORIZED = "Not authorized to perform {action}"


class InvalidIdentityToken(AwsError):
    code = "InvalidIdentityToken"
    status = 400


class ExpiredTokenException(AwsError):
    code = "ExpiredTokenException"
    status = 400


class IDPRejectedClaim(AwsError):
    code = "IDPRejectedClaim"
    status = 403


@dataclass(slots=True)
class FederationTrail:
    """What the event history learns about a federated call as it is checked (filled in step by step, so that a
    refused call is recorded with whatever was known: the role's account, the caller as the provider names it)."""

    account_id: str | None = None
    user_identity: dict[str, Any] = field(default_factory=lambda: {"type": "Unknown"})
    request_parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FederatedCaller:
    """A caller the identity provider vouched for, as the trust policy and the new session see it.

    `principals` are the `Federated` values a trust policy may name for this provider (a provider ARN, or a
    built-in name such as `accounts.google.com`): the first that the trust policy allows is used. `keys` are the
    provider's condition keys (`SAML:aud`, `token.actions.githubusercontent.com:sub`, ...).
    """

    action: str
    principals: tuple[str, ...]
    keys: Mapping[str, str | list[str]]
    session_name: str
    user_identity: dict[str, Any]
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    session_keys: Mapping[str, str] = field(default_factory=dict)  # kept on the session (`saml:sub`, ...)


@dataclass(frozen=True, slots=True)
class SessionRequest:
    """The STS parameters a federated call shares with AssumeRole: how long, and which session policies."""

    role_arn: str
    duration: int | None
    policy: str
    policy_arns: tuple[str, ...]

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> SessionRequest:
        arns = [entry.get("arn", "") for entry in params.get("PolicyArns") or []]
        return cls(
            role_arn=str(params["RoleArn"]), duration=params.get("DurationSeconds"),
            policy=str(params.get("Policy") or ""), policy_arns=tuple(str(arn) for arn in arns),
        )


def federated_role(role_arn: str, trail: FederationTrail) -> tuple[str, TargetRole | None]:
    """The role's account (noted on the trail when it is one of ours) and the role, if it exists."""
    account_id, path, name = parse_role_arn(role_arn)
    if Account.objects.filter(account_id=account_id).exists():
        trail.account_id = account_id
    return account_id, role_lookup(account_id, path, name)


def caller_parameters(caller: FederatedCaller) -> dict[str, Any]:
    """The provider's tags and source identity as CloudTrail's requestParameters show them."""
    recorded: dict[str, Any] = {}
    if caller.tags:
        recorded["principalTags"] = dict(caller.tags)
    if caller.transitive_tag_keys:
        recorded["transitiveTagKeys"] = list(caller.transitive_tag_keys)
    if caller.source_identity:
        recorded["sourceIdentity"] = caller.source_identity
    return recorded


def not_authorized(action: str) -> AccessDenied:
    """AWS names neither caller nor role when it refuses a federated caller."""
    return AccessDenied(NOT_AUTHORIZED.format(action=action))


def assume_federated(
    caller: FederatedCaller, role: TargetRole | None, request: SessionRequest, *, origin: CallOrigin | None,
    cap_seconds: int | None = None, via_console: bool = False,
) -> AssumedRole:
    """Authorize `caller` against the role's trust policy and issue the session (AccessDenied exactly as AWS).

    `cap_seconds` shortens the session further (the SAML SessionDuration attribute and SessionNotOnOrAfter).
    """
    if role is None:
        raise not_authorized(caller.action)
    tags = session_tags(
        [{"Key": key, "Value": value} for key, value in caller.tags.items()], caller.transitive_tag_keys, None
    )
    check_session_policies(request.policy, request.policy_arns, role)
    now = sandbox_now(role.account_id)
    _authorize(caller, role, tags, now, origin)
    duration = role_duration(request.duration, role, chained=False)
    if cap_seconds is not None:
        duration = max(1, min(duration, cap_seconds))
    size = session_packed_size(request.policy, request.policy_arns, tags)
    session = new_role_session(
        role=role, session_name=caller.session_name, now=now, duration=duration, tags=tags,
        source_identity=caller.source_identity, policy=request.policy, policy_arns=request.policy_arns,
        issued_to=caller.user_identity, federated_keys=dict(caller.session_keys), via_console=via_console,
    )
    identity = sessions.session_identity(session, role.account_id)
    return AssumedRole(session=session, identity=identity, packed_policy_size=size, role=role)


def _authorize(
    caller: FederatedCaller, role: TargetRole, tags: SessionTags, now: datetime, origin: CallOrigin | None
) -> None:
    trust = stored_policy(role.trust_policy, name=f"{role.name} trust policy", kind=iam.PolicyKind.TRUST)
    keys: dict[str, str | list[str]] = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true" if origin is None or origin.secure_transport else "false",
        **tag_keys(tags, caller.transitive_tag_keys, role), **caller.keys,
    }
    if origin is not None and origin.source_ip:
        keys["aws:SourceIp"] = origin.source_ip
    context = iam.make_context(keys, source_identity=caller.source_identity)
    actions = [caller.action]
    if tags.any_passed:
        actions.append("sts:TagSession")
    if caller.source_identity:
        actions.append("sts:SetSourceIdentity")
    for action in actions:
        evaluation = _first_allowing(caller, action, role, context, trust)
        if not evaluation.allowed:
            raise AccessDenied(NOT_AUTHORIZED.format(action=action), extra={"evaluation": evaluation})


def _first_allowing(
    caller: FederatedCaller, action: str, role: TargetRole, context: iam.Context, trust: iam.Policy
) -> iam.Evaluation:
    """The evaluation for the first of the caller's principals the trust policy allows (else the first one's)."""
    evaluations = []
    for principal in caller.principals:
        request = iam.Request(
            action=action, resource=role.arn, principal=iam.Principal.federated(principal), context=context,
            resource_account=role.account_id,
        )
        evaluation = iam.evaluate(request, iam.PolicyInputs(resource=trust))
        if evaluation.allowed:
            return evaluation
        evaluations.append(evaluation)
    return evaluations[0]
