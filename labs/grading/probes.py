"""Probes: could this principal assume this role, or perform this action? Decided by the `iam` engine, as STS and
the services would, over the GradeContext snapshot.

A probe principal is `{"Service": ...}`, `{"Federated": ...}`, `{"AWS": arn}` (a real user or role of the sandbox
when the ARN names one, otherwise a hypothetical outsider whose own account allows it everything: the attacker's
best case), `{"user": name, "account": alias}` or `{"role": name, "account": alias}` (a session of that role).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import iam
from labs.grading.context import GradeContext, RoleView, UserView

# An outsider acts with its own account's blessing: only the role's trust policy stands between it and the role.
PROBER_IDENTITY_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
CHAINED_MAX = 3600
OVER_CHAIN = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
OVER_ROLE = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."


@dataclass(frozen=True, slots=True)
class Caller:
    """A probe's principal as the engine sees it, with the policies that limit it."""

    principal: iam.Principal
    keys: dict[str, str | list[str]]
    identity: tuple[iam.Policy, ...] = ()
    boundary: iam.Policy | None = None
    session: tuple[iam.Policy, ...] = ()
    scps: tuple[tuple[iam.Policy, ...], ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    is_role_session: bool = False


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    allowed: bool
    evaluations: tuple[iam.Evaluation, ...] = ()
    rule: str = ""  # an STS rule that refused before any policy (duration limits)


def _parse(document: str, name: str, kind: iam.PolicyKind) -> iam.Policy | None:
    try:
        return iam.parse_policy(document, name=name, kind=kind, check_size=False)
    except iam.PolicySyntaxError:
        return None


def _policies(documents: Mapping[str, str], kind: iam.PolicyKind) -> tuple[iam.Policy, ...]:
    return tuple(p for name, doc in documents.items() if (p := _parse(doc, name, kind)) is not None)


def _boundary(document: str) -> iam.Policy | None:
    return _parse(document, "boundary", iam.PolicyKind.BOUNDARY) if document else None


def _scps(ctx: GradeContext, account_id: str) -> tuple[tuple[iam.Policy, ...], ...]:
    account = ctx.principal_account(account_id)
    if account is None:
        return ()
    return tuple(_policies({f"scp-{i}-{j}": doc for j, doc in enumerate(level)}, iam.PolicyKind.SCP)
                 for i, level in enumerate(account.scps))


def _org_keys(ctx: GradeContext, account_id: str) -> dict[str, str | list[str]]:
    account = ctx.principal_account(account_id)
    if account is not None and account.in_organization and ctx.organization_id:
        return {"aws:PrincipalOrgID": ctx.organization_id}
    return {}


def _user_caller(ctx: GradeContext, user: UserView) -> Caller:
    keys: dict[str, str | list[str]] = {
        "aws:PrincipalArn": user.arn, "aws:PrincipalAccount": user.account_id, "aws:PrincipalType": "User",
        "aws:username": user.name, "aws:userid": user.user_id, **_org_keys(ctx, user.account_id),
    }
    return Caller(
        principal=iam.Principal.aws(user.arn, unique_id=user.user_id), keys=keys,
        identity=_policies(user.policies, iam.PolicyKind.IDENTITY),
        boundary=_boundary(user.boundary_document),
        scps=_scps(ctx, user.account_id), tags=dict(user.tags),
    )


def _role_caller(ctx: GradeContext, role: RoleView, spec: Mapping[str, Any]) -> Caller:
    session_name = str(spec.get("session_name", "probe"))
    arn = f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{session_name}"
    session_tags = dict(spec.get("session_tags", {}))
    lowered = {key.lower() for key in session_tags}
    tags = {**{k: v for k, v in role.tags.items() if k.lower() not in lowered}, **session_tags}
    keys: dict[str, str | list[str]] = {
        "aws:PrincipalArn": role.arn, "aws:PrincipalAccount": role.account_id, "aws:PrincipalType": "AssumedRole",
        "aws:userid": f"{role.role_id}:{session_name}", **_org_keys(ctx, role.account_id),
    }
    documents = {**role.inline_policies, **{arn_: doc for arn_, doc in role.managed_policies.items()}}
    session = tuple(p for doc in spec.get("session_policies", []) if (p := _parse(
        doc if isinstance(doc, str) else json.dumps(doc), "session policy", iam.PolicyKind.SESSION)) is not None)
    return Caller(
        principal=iam.Principal.aws(arn, unique_id=f"{role.role_id}:{session_name}", role_arn=role.arn), keys=keys,
        identity=_policies(documents, iam.PolicyKind.IDENTITY),
        boundary=_boundary(role.boundary_document),
        session=session, scps=_scps(ctx, role.account_id), tags=tags, is_role_session=True,
    )


def _outsider(arn: str) -> Caller:
    account = arn.split(":")[4] if arn.startswith("arn:") and arn.count(":") >= 5 else None
    keys: dict[str, str | list[str]] = {"aws:PrincipalArn": arn}
    if account:
        keys["aws:PrincipalAccount"] = account
    identity = (iam.parse_policy(PROBER_IDENTITY_POLICY, name="the outsider's own identity policy"),)
    return Caller(principal=iam.Principal.aws(arn), keys=keys, identity=identity,
                  is_role_session=":assumed-role/" in arn)


def caller_for(ctx: GradeContext, spec: Mapping[str, Any]) -> Caller:
    """The probe principal: a real user or role session of the sandbox, a service, a provider, or an outsider."""
    if "Service" in spec:
        return Caller(principal=iam.Principal.service(str(spec["Service"])), keys={"aws:PrincipalIsAWSService": "true"})
    if "Federated" in spec:
        return Caller(principal=iam.Principal.federated(str(spec["Federated"])), keys={})
    if "user" in spec:
        account = ctx.account(spec.get("account"))
        user = account.users.get(str(spec["user"])) if account else None
        if user is None:
            raise LookupError(f"no user `{spec['user']}` in account `{spec.get('account', 'management')}`")
        return _user_caller(ctx, user)
    if "role" in spec:
        role = ctx.role(str(spec["role"]), spec.get("account"))
        if role is None:
            raise LookupError(f"no role `{spec['role']}` in account `{spec.get('account', 'management')}`")
        return _role_caller(ctx, role, spec)
    arn = str(spec["AWS"])
    for account in ctx.accounts.values():
        for user in account.users.values():
            if user.arn == arn:
                return _user_caller(ctx, user)
        for role in account.roles.values():
            if role.arn == arn:
                return _role_caller(ctx, role, spec)
    return _outsider(arn)


def _request_keys(caller: Caller, probe: Mapping[str, Any], role: RoleView) -> dict[str, str | list[str]]:
    keys = dict(caller.keys)
    keys.update({f"aws:PrincipalTag/{k}": v for k, v in caller.tags.items()})
    keys.update({f"aws:ResourceTag/{k}": v for k, v in role.tags.items()})
    keys["sts:RoleSessionName"] = str(probe.get("session_name", "probe"))
    if caller.is_role_session or "mfa" in probe:
        keys["aws:MultiFactorAuthPresent"] = "true" if probe.get("mfa") else "false"
    if probe.get("mfa"):
        keys["aws:MultiFactorAuthAge"] = str(probe.get("mfa_age", 0))
    if "external_id" in probe:
        keys["sts:ExternalId"] = str(probe["external_id"])
    tags = dict(probe.get("tags", {}))
    if tags:
        keys["aws:TagKeys"] = list(tags)
        keys.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
    if probe.get("transitive_tag_keys"):
        keys["sts:TransitiveTagKeys"] = list(probe["transitive_tag_keys"])
    if probe.get("source_identity"):
        keys["aws:SourceIdentity"] = str(probe["source_identity"])
    keys.update(probe.get("context", {}))
    return keys


def probe_assume(ctx: GradeContext, role: RoleView, probe: Mapping[str, Any]) -> ProbeOutcome:
    """Would STS let the probe's principal assume `role` with the probe's parameters?"""
    caller = caller_for(ctx, probe["principal"])
    duration = probe.get("duration")
    if duration is not None and caller.is_role_session and int(duration) > CHAINED_MAX:
        return ProbeOutcome(False, rule=OVER_CHAIN)
    if duration is not None and int(duration) > role.max_session_duration:
        return ProbeOutcome(False, rule=OVER_ROLE)
    trust = iam.parse_policy(role.trust_policy, name=f"{role.name} trust policy", kind=iam.PolicyKind.TRUST,
                             check_size=False)
    context = iam.make_context(_request_keys(caller, probe, role))
    actions = [str(probe.get("action", "sts:AssumeRole"))]
    if probe.get("tags"):
        actions.append("sts:TagSession")
    if probe.get("source_identity"):
        actions.append("sts:SetSourceIdentity")
    evaluations = []
    for action in actions:
        request = iam.Request(action=action, resource=role.arn, principal=caller.principal, context=context,
                              resource_account=role.account_id or None)
        inputs = iam.PolicyInputs(identity=caller.identity, resource=trust, boundary=caller.boundary,
                                  session=caller.session, scps=caller.scps)
        evaluation = iam.evaluate(request, inputs)
        evaluations.append(evaluation)
        if not evaluation.allowed:
            return ProbeOutcome(False, tuple(evaluations))
    return ProbeOutcome(True, tuple(evaluations))


def probe_permission(ctx: GradeContext, probe: Mapping[str, Any]) -> ProbeOutcome:
    """Could the probe's principal perform `action` on `resource` (identity, boundary, session policy, SCPs)?"""
    caller = caller_for(ctx, probe["principal"])
    keys = dict(caller.keys)
    keys.update({f"aws:PrincipalTag/{k}": v for k, v in caller.tags.items()})
    keys.update(probe.get("context", {}))
    request = iam.Request(action=str(probe["action"]), resource=str(probe.get("resource", "*")),
                          principal=caller.principal, context=iam.make_context(keys),
                          resource_account=probe.get("resource_account"))
    resource_policy = None
    if probe.get("resource_policy"):
        document = probe["resource_policy"]
        resource_policy = _parse(document if isinstance(document, str) else json.dumps(document), "resource policy",
                                 iam.PolicyKind.RESOURCE)
    inputs = iam.PolicyInputs(identity=caller.identity, resource=resource_policy, boundary=caller.boundary,
                              session=caller.session, scps=caller.scps)
    evaluation = iam.evaluate(request, inputs)
    return ProbeOutcome(evaluation.allowed, (evaluation,))
