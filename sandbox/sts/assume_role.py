"""AssumeRole with AWS's rules: parameters, trust policy through the engine, durations, chaining, tags, MFA, session
policies, source identity; then durable credentials.

https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import iam
from sandbox.authorize import CallOrigin, caller_policies, denial_message, merge_tags, request_for
from sandbox.clock import sandbox_now
from sandbox.errors import AccessDenied, MalformedPolicyDocument, ValidationError
from sandbox.identity import ASSUMED_ROLE, Identity, assumed_role_arn
from sandbox.models import Account, StsSession
from sandbox.moto_store import account_reader
from sandbox.policy_cache import stored_policy
from sandbox.sts import sessions
from sandbox.sts.mfa_context import MfaProof, mfa_proof
from sandbox.sts.params import InvalidParameterValue, validate
from sandbox.sts.tags import SessionTags, packed_size, session_tags
from sandbox.sts.trust_bindings import bound_trust_policy

DEFAULT_DURATION = 3600
CHAINED_MAX = 3600
POLICY_ARNS_MAX = 10
ROOT_CANNOT_ASSUME = "Roles may not be assumed by root accounts."
INVALID_ARN = "Request ARN is invalid"
OVER_ROLE_MAX = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
OVER_CHAIN_MAX = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
TOO_MANY_ARNS = (
    "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
    "Member must have length less than or equal to 10"
)
NO_SUCH_POLICY = "Policy {arn} does not exist or is not attachable."
AWS_PREFIX_SOURCE = "SourceIdentity cannot begin with 'aws:' (it is reserved for AWS use)."
SOURCE_CHANGED = "The source identity is already set for this assume role session"
_ANY_ARN = re.compile(r"arn:[^:]+:[^:]+:[^:]*:[^:]*:.+", re.DOTALL)
_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)", re.ASCII)


@dataclass(frozen=True, slots=True)
class TargetRole:
    account_id: str
    arn: str
    name: str
    path: str
    role_id: str
    trust_policy: str
    max_session_duration: int
    tags: dict[str, str]


@dataclass(frozen=True, slots=True)
class AssumedRole:
    """What AssumeRole returns, and the stored session behind it."""

    session: StsSession
    identity: Identity
    packed_policy_size: int | None
    role: TargetRole


@dataclass(frozen=True, slots=True)
class AssumeRoleRequest:
    """AssumeRole's parameters, validated against the model."""

    role_arn: str
    session_name: str
    duration: int | None
    external_id: str | None
    policy: str
    policy_arns: tuple[str, ...]
    tags: tuple[Mapping[str, str], ...]
    transitive_tag_keys: tuple[str, ...]
    serial_number: str | None
    token_code: str | None
    source_identity: str | None

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> AssumeRoleRequest:
        validate("AssumeRole", params)
        arns = [entry.get("arn", "") for entry in params.get("PolicyArns") or []]
        return cls(
            role_arn=str(params["RoleArn"]), session_name=str(params["RoleSessionName"]),
            duration=params.get("DurationSeconds"), external_id=params.get("ExternalId"),
            policy=str(params.get("Policy") or ""), policy_arns=tuple(str(arn) for arn in arns),
            tags=tuple(params.get("Tags") or ()), transitive_tag_keys=tuple(params.get("TransitiveTagKeys") or ()),
            serial_number=params.get("SerialNumber"), token_code=params.get("TokenCode"),
            source_identity=params.get("SourceIdentity"),
        )


def assume_role(
    caller: Identity, params: Mapping[str, Any], *, origin: CallOrigin | None = None, via_console: bool = False
) -> AssumedRole:
    """Authorize and perform AssumeRole for `caller`; raise an AwsError exactly where AWS refuses."""
    request = AssumeRoleRequest.parse(params)
    if caller.type == "Root":
        raise AccessDenied(ROOT_CANNOT_ASSUME)
    role = _target_role(caller, request.role_arn)
    now = sandbox_now(caller.account_id)
    mfa = mfa_proof(caller, request.serial_number, request.token_code, now)
    tags = session_tags(request.tags, request.transitive_tag_keys, caller)
    source_identity = _source_identity(caller, request.source_identity)
    check_session_policies(request.policy, request.policy_arns, role)
    _authorize(caller, request, role, tags, source_identity, mfa, origin)
    duration = role_duration(request.duration, role, chained=caller.is_role_session)
    size = session_packed_size(request.policy, request.policy_arns, tags)
    session = new_role_session(
        role=role, session_name=request.session_name, now=now, duration=duration, tags=tags,
        source_identity=source_identity, policy=request.policy, policy_arns=request.policy_arns,
        mfa_authenticated_at=mfa.authenticated_at, chained=caller.is_role_session, via_console=via_console,
        issued_to=caller.user_identity(),
    )
    identity = sessions.session_identity(session, role.account_id)
    return AssumedRole(session=session, identity=identity, packed_policy_size=size, role=role)


def session_packed_size(policy: str, policy_arns: tuple[str, ...], tags: SessionTags) -> int | None:
    """PackedPolicySize: answered only when session policies or session tags were passed (PackedPolicyTooLarge
    above 100%)."""
    if not (policy or policy_arns or tags.requested):
        return None
    return packed_size(policy, policy_arns, tags.requested)


def new_role_session(
    *, role: TargetRole, session_name: str, now: datetime, duration: int, tags: SessionTags,
    source_identity: str | None, policy: str, policy_arns: tuple[str, ...], issued_to: dict[str, Any],
    mfa_authenticated_at: datetime | None = None, chained: bool = False, via_console: bool = False,
    federated_keys: dict[str, Any] | None = None,
) -> StsSession:
    """Store the credentials of a new session of `role` (its packed size was checked already)."""
    return sessions.store_session(StsSession(
        access_key_id=sessions.new_access_key_id(), secret_access_key=sessions.new_secret_access_key(),
        session_token=sessions.new_session_token(), kind=ASSUMED_ROLE,
        account=Account.objects.get(account_id=role.account_id), role_name=role.name, path=role.path,
        role_id=role.role_id, session_name=session_name, issued_at=now,
        expires_at=now + timedelta(seconds=duration), mfa_authenticated_at=mfa_authenticated_at,
        source_identity=source_identity or "", tags=[{"Key": k, "Value": v} for k, v in tags.tags.items()],
        transitive_tag_keys=list(tags.transitive_keys), session_policy=policy, policy_arns=list(policy_arns),
        chained=chained, via_console=via_console, issued_to=issued_to, federated_keys=federated_keys or {},
    ))


def parse_role_arn(role_arn: str) -> tuple[str, str, str]:
    """(account id, path, name) of a role ARN; a ValidationError in AWS's words for anything else."""
    match = _ROLE_ARN.fullmatch(role_arn)
    if match is None:
        # Not an ARN at all: `<value> is invalid`; an ARN of something else than a role: `Request ARN is invalid`.
        raise ValidationError(INVALID_ARN if _ANY_ARN.fullmatch(role_arn) else f"{role_arn} is invalid")
    account_id, path, name = match.groups()
    return account_id, path, name


def role_lookup(account_id: str, path: str, name: str) -> TargetRole | None:
    """The role as it is now in the account's stored state (None if the account or the role does not exist)."""
    if not Account.objects.filter(account_id=account_id).exists():
        return None
    with account_reader(account_id) as backends:
        role = next((role for role in backends.iam.get_roles() if role.name == name and role.path == path), None)
        if role is None:
            return None
        return TargetRole(
            account_id=account_id, arn=role.arn, name=role.name, path=role.path, role_id=role.id,
            trust_policy=role.assume_role_policy_document,
            max_session_duration=int(role.max_session_duration or DEFAULT_DURATION),
            tags={tag["Key"]: tag["Value"] for tag in role.tags},
        )


def _target_role(caller: Identity, role_arn: str) -> TargetRole:
    """The role to assume. One that does not exist, or lives in another learner's sandbox, is an AccessDenied."""
    account_id, path, name = parse_role_arn(role_arn)
    denied = AccessDenied(_not_authorized(caller, "sts:AssumeRole", role_arn))
    if not _same_sandbox(caller.account_id, account_id):
        raise denied
    role = role_lookup(account_id, path, name)
    if role is None:
        raise denied
    return role


def _same_sandbox(caller_account: str, role_account: str) -> bool:
    sandboxes = set(
        Account.objects.filter(account_id__in=[caller_account, role_account]).values_list("sandbox_id", flat=True)
    )
    count = Account.objects.filter(account_id__in=[caller_account, role_account]).count()
    return len(sandboxes) == 1 and count == len({caller_account, role_account})


def _not_authorized(caller: Identity, action: str, resource: str) -> str:
    return f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource}"


def _source_identity(caller: Identity, requested: str | None) -> str | None:
    """Source identity is set once and persists through a chain: it cannot be changed."""
    inherited = caller.session.source_identity if caller.session else ""
    if requested is not None and requested.lower().startswith("aws:"):
        raise InvalidParameterValue(AWS_PREFIX_SOURCE)
    if inherited and requested is not None and requested != inherited:
        raise ValidationError(SOURCE_CHANGED)
    return requested or inherited or None


def check_session_policies(policy: str, policy_arns: tuple[str, ...], role: TargetRole) -> None:
    """At most ten managed session policies, each existing; an inline one that parses as a policy."""
    if len(policy_arns) > POLICY_ARNS_MAX:
        raise ValidationError(TOO_MANY_ARNS)
    if policy:
        try:
            iam.parse_policy(policy, name="session policy", kind=iam.PolicyKind.SESSION, check_size=False)
        except iam.PolicySyntaxError as error:
            raise MalformedPolicyDocument(error.message) from error
    if not policy_arns:
        return
    from sandbox import managed_policies

    with account_reader(role.account_id) as backends:
        for arn in policy_arns:
            if arn not in backends.iam.managed_policies and not managed_policies.ensure_available(backends.iam, arn):
                raise InvalidParameterValue(NO_SUCH_POLICY.format(arn=arn))


def role_duration(requested: int | None, role: TargetRole, *, chained: bool) -> int:
    """DurationSeconds: an hour by default, at most the role's maximum, and at most an hour for role chaining."""
    duration = requested if requested is not None else DEFAULT_DURATION
    if chained and duration > CHAINED_MAX:
        raise ValidationError(OVER_CHAIN_MAX)
    if duration > role.max_session_duration:
        raise ValidationError(OVER_ROLE_MAX)
    return duration


def trust_context(
    request: AssumeRoleRequest, role: TargetRole, tags: SessionTags, source_identity: str | None, mfa: MfaProof,
    now: datetime,
) -> iam.Context:
    """The keys AssumeRole adds to the caller's: external id, session name, requested tags, the role's tags (with
    incoming transitive tags in their place), source identity and MFA."""
    keys: dict[str, str | list[str]] = {"sts:RoleSessionName": request.session_name}
    if request.external_id is not None:
        keys["sts:ExternalId"] = request.external_id
    keys.update(tag_keys(tags, request.transitive_tag_keys, role))
    if source_identity:
        keys["aws:SourceIdentity"] = source_identity
    keys.update(mfa.context(now))
    return iam.make_context(keys)


def tag_keys(tags: SessionTags, transitive_tag_keys: tuple[str, ...], role: TargetRole) -> dict[str, str | list[str]]:
    """`aws:RequestTag/*`, `aws:TagKeys` and `sts:TransitiveTagKeys` for the tags passed, and `aws:ResourceTag/*`: the
    role's tags, with incoming transitive session tags in their place."""
    keys: dict[str, str | list[str]] = {}
    if tags.requested:
        keys["aws:TagKeys"] = list(tags.requested)
        keys.update({f"aws:RequestTag/{key}": value for key, value in tags.requested.items()})
    if transitive_tag_keys:
        keys["sts:TransitiveTagKeys"] = list(transitive_tag_keys)
    resource_tags = merge_tags(role.tags, {k: v for k, v in tags.tags.items() if k in tags.transitive_keys})
    keys.update({f"aws:ResourceTag/{key}": value for key, value in resource_tags.items()})
    return keys


def _authorize(
    caller: Identity, request: AssumeRoleRequest, role: TargetRole, tags: SessionTags, source_identity: str | None,
    mfa: MfaProof, origin: CallOrigin | None,
) -> None:
    """sts:AssumeRole, then sts:TagSession when tags are passed and sts:SetSourceIdentity when one is set: each
    through the engine with the trust policy as the resource-based policy and the caller's own policies."""
    document = bound_trust_policy(role.account_id, role.name, role.trust_policy, *_caller_binding(caller))
    trust = stored_policy(document, name=f"{role.name} trust policy", kind=iam.PolicyKind.TRUST)
    with account_reader(caller.account_id) as backends:
        policies = caller_policies(backends, caller)
    if origin is None and caller.source_ip:
        origin = CallOrigin(source_ip=caller.source_ip, secure_transport=caller.secure_transport)
    context = trust_context(request, role, tags, source_identity, mfa, sandbox_now(caller.account_id))
    actions = ["sts:AssumeRole"]
    if tags.any_passed:
        actions.append("sts:TagSession")
    if request.source_identity is not None or source_identity:
        actions.append("sts:SetSourceIdentity")
    for action in actions:
        evaluated = request_for(
            caller, action=action, resource=role.arn, context=context, resource_account=role.account_id,
            principal_tags=policies.tags, origin=origin,
        )
        evaluation = iam.evaluate(evaluated, policies.inputs(trust))
        if not evaluation.allowed:
            raise AccessDenied(_denial(caller, action, role.arn, evaluation), extra={"evaluation": evaluation})


def _caller_binding(caller: Identity) -> tuple[str, str]:
    """The ARN and unique id a trust policy may have bound: the user's, or the role's for a role session."""
    if caller.is_role_session and caller.session is not None:
        return caller.role_arn, caller.session.role_id
    return caller.arn, caller.principal_id


def _denial(caller: Identity, action: str, role_arn: str, evaluation: iam.Evaluation) -> str:
    """STS names no policy when the trust policy refused; the caller's own policies are named as elsewhere."""
    if iam.PolicyKind.TRUST in evaluation.blocked_by or not evaluation.blocked_by:
        return _not_authorized(caller, action, role_arn)
    return denial_message(caller, action, role_arn, evaluation)


def assumed_arn(role: TargetRole, session_name: str) -> str:
    return assumed_role_arn(role.account_id, role.name, session_name)
