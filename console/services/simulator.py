"""Policy simulator: run actions through the engine for a principal of this account or for pasted policies.

Read-only: it changes nothing in the sandbox. It needs `iam:SimulatePrincipalPolicy` on the principal's ARN, or
`iam:SimulateCustomPolicy` on `*` for pasted policies, decided by the engine like any call and recorded as an event.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

import iam
from sandbox import events
from sandbox.api import CONSOLE_USER_AGENT, iam_call
from sandbox.authorize import CallerPolicies, authorize, caller_policies, request_for
from sandbox.clock import sandbox_now
from sandbox.errors import AwsError, NoSuchEntity
from sandbox.identity import ASSUMED_ROLE, Identity, SessionContext, assumed_role_arn, iam_role_arn, iam_user_arn
from sandbox.models import Account
from sandbox.moto_store import AccountBackends, account_reader
from sandbox.roles import roles_snapshot
from sandbox.sts.trust_bindings import bound_trust_policy

Mode = Literal["principal", "custom"]
Language = Literal["en", "ko"]
PRINCIPAL_NOT_FOUND = "The user or role with name {name} cannot be found."
DECISION_LABELS: dict[iam.Decision, Promise] = {
    iam.Decision.ALLOW: _("allowed"),
    iam.Decision.EXPLICIT_DENY: _("explicitly denied"),
    iam.Decision.IMPLICIT_DENY: _("implicitly denied"),
}
KIND_LABELS: dict[iam.PolicyKind, Promise] = {
    iam.PolicyKind.SCP: _("Service control policy (SCP)"),
    iam.PolicyKind.RESOURCE: _("Resource-based policy"),
    iam.PolicyKind.TRUST: _("Trust policy"),
    iam.PolicyKind.IDENTITY: _("Identity-based policy"),
    iam.PolicyKind.BOUNDARY: _("Permissions boundary"),
    iam.PolicyKind.SESSION: _("Session policy"),
}
_NEAR_MISSES = (iam.MismatchReason.CONDITION, iam.MismatchReason.CONDITION_KEY_MISSING,
                iam.MismatchReason.EXTERNAL_ID_MISMATCH)
_TRUST_ACTIONS = frozenset(action.lower() for action in iam.TRUST_ACTIONS)


@dataclass(frozen=True, slots=True)
class ContextEntry:
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimulationSpec:
    """What the learner asked to simulate (policy texts already checked by the form)."""

    mode: Mode
    principal: str  # "user:NAME" or "role:NAME" (mode "principal")
    identity_policy: str
    boundary_policy: str
    session_policy: str
    resource_policy: str
    caller_arn: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    context: tuple[ContextEntry, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of policy lines; `mark` is "decisive", "near" or "", `end` the line break after the run (outside it)."""

    text: str
    mark: str = ""
    end: str = ""


@dataclass(frozen=True, slots=True)
class RenderedPolicy:
    """A policy shown in the results, its deciding statements marked."""

    name: str
    kind_label: Promise
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class ActionResult:
    action: str
    resource: str
    decision: iam.Decision
    decision_label: Promise
    reasons: tuple[str, ...]
    explanation: tuple[tuple[tuple[str, bool], ...], ...]  # lines of (text, is_code) parts
    policies: tuple[RenderedPolicy, ...]
    other_policies: tuple[str, ...]  # evaluated, but none of their statements decided


@dataclass(frozen=True, slots=True)
class Simulation:
    caller_arn: str
    results: tuple[ActionResult, ...]


@dataclass(frozen=True, slots=True)
class PrincipalChoices:
    """The users and roles of the account, or why they could not be listed."""

    users: tuple[str, ...]
    roles: tuple[str, ...]
    error: str = ""

    def choices(self) -> list[tuple[str, list[tuple[str, str]]]] | None:
        """Grouped select options, or None when the account's users and roles could not be listed."""
        if self.error:
            return None
        groups = [(str(_("Users")), [(f"user:{name}", name) for name in self.users]),
                  (str(_("Roles")), [(f"role:{name}", name) for name in self.roles])]
        return [(label, options) for label, options in groups if options]


@dataclass(frozen=True, slots=True)
class _Caller:
    """Who the simulated requests come from: a sandbox identity, or only an ARN (custom policies)."""

    arn: str
    policies: CallerPolicies
    identity: Identity | None = None


def simulator_principals(*, identity: Identity) -> PrincipalChoices:
    """ListUsers and ListRoles as the console identity (each authorized and recorded like any call)."""
    try:
        users = _all_names(identity, "ListUsers", "Users", "UserName")
        roles = _all_names(identity, "ListRoles", "Roles", "RoleName")
    except AwsError as refused:
        return PrincipalChoices(users=(), roles=(), error=f"{refused.code}: {refused.message}")
    return PrincipalChoices(users=users, roles=roles)


def _all_names(identity: Identity, action: str, key: str, name_key: str) -> tuple[str, ...]:
    names: list[str] = []
    params: dict[str, Any] = {}
    while True:
        answer = iam_call(identity, action, params)
        names += [str(item[name_key]) for item in answer.get(key, [])]
        if not answer.get("IsTruncated") or not answer.get("Marker"):
            return tuple(sorted(names, key=str.lower))
        params = {"Marker": answer["Marker"]}


def simulation_run(*, identity: Identity, spec: SimulationSpec, language: Language = "en") -> Simulation:
    """Every action on every resource through the engine; AccessDenied when the simulation itself is refused."""
    try:
        caller = _principal(identity, spec.principal) if spec.mode == "principal" else _custom(identity, spec)
    except AwsError as refused:
        _record(identity, spec, error=refused)
        raise
    source_arn = (caller.identity.role_arn or caller.arn) if caller.identity else ""
    _record(identity, spec, error=None, source_arn=source_arn)
    results = []
    for action in spec.actions:
        for resource in spec.resources:
            resource_policy = _resource_policy(identity, caller, spec, action, resource)
            evaluation = _evaluate(identity, caller, spec, action, resource, resource_policy)
            results.append(_result(evaluation, caller.policies, resource_policy, language))
    return Simulation(caller_arn=caller.arn, results=tuple(results))


def _principal(identity: Identity, choice: str) -> _Caller:
    kind, _, name = choice.partition(":")
    with account_reader(identity.account_id) as backends:
        target = _target_identity(backends, identity, kind, name)
        authorize(backends, identity, action="iam:SimulatePrincipalPolicy", resource=target.role_arn or target.arn)
        if not target.principal_id:
            raise NoSuchEntity(PRINCIPAL_NOT_FOUND.format(name=name))
        return _Caller(arn=target.arn, policies=caller_policies(backends, target), identity=target)


def _target_identity(backends: AccountBackends, identity: Identity, kind: str, name: str) -> Identity:
    """The chosen user, or a session of the chosen role as switch role starts it (named after the caller).

    A principal that does not exist comes back with an empty principal id and the ARN it would have had.
    """
    account = identity.account_id
    if kind == "user":
        user = backends.iam.users.get(name)
        arn = iam_user_arn(account, name, user.path if user is not None else "/")
        return Identity(account_id=account, arn=arn, type="IAMUser", name=name,
                        principal_id=user.id if user is not None else "")
    role = next((role for role in backends.iam.get_roles() if role.name == name), None)
    if role is None:
        return Identity(account_id=account, arn=iam_role_arn(account, name), type="Role", name=name, principal_id="")
    now = sandbox_now(account)
    session = SessionContext(
        kind=ASSUMED_ROLE, access_key_id="", issued_at=now, expires_at=now + timedelta(hours=1), role_name=name,
        role_path=role.path, role_id=role.id,
    )
    return Identity(
        account_id=account, arn=assumed_role_arn(account, name, identity.name), type="AssumedRole",
        name=identity.name, principal_id=f"{role.id}:{identity.name}", session=session,
    )


def _custom(identity: Identity, spec: SimulationSpec) -> _Caller:
    with account_reader(identity.account_id) as backends:
        authorize(backends, identity, action="iam:SimulateCustomPolicy", resource="*")

    def parsed(text: str, name: str, kind: iam.PolicyKind) -> iam.Policy | None:
        return iam.parse_policy(text, name=name, kind=kind) if text.strip() else None

    identity_policy = parsed(spec.identity_policy, "identity-policy", iam.PolicyKind.IDENTITY)
    session_policy = parsed(spec.session_policy, "session-policy", iam.PolicyKind.SESSION)
    policies = CallerPolicies(
        identity=(identity_policy,) if identity_policy else (),
        boundary=parsed(spec.boundary_policy, "permissions-boundary", iam.PolicyKind.BOUNDARY),
        session=(session_policy,) if session_policy else (), scps=(), tags={},
    )
    if not spec.caller_arn or spec.caller_arn == identity.arn:
        return _Caller(arn=identity.arn, policies=policies, identity=identity)
    return _Caller(arn=spec.caller_arn, policies=policies)


def _resource_policy(identity: Identity, caller: _Caller, spec: SimulationSpec, action: str,
                     resource: str) -> iam.Policy | None:
    """The pasted resource policy (a trust policy for sts:AssumeRole*, a resource-based policy otherwise); for
    sts:AssumeRole* on a role of the learner's own sandbox with nothing pasted, that role's trust policy."""
    trust = action.lower() in _TRUST_ACTIONS
    if spec.resource_policy.strip():
        kind = iam.PolicyKind.TRUST if trust else iam.PolicyKind.RESOURCE
        return iam.parse_policy(spec.resource_policy, name="trust-policy" if trust else "resource-policy", kind=kind)
    return _sandbox_trust_policy(identity, caller, resource) if trust else None


def _sandbox_trust_policy(identity: Identity, caller: _Caller, role_arn: str) -> iam.Policy | None:
    """The trust policy STS would weigh, as STS names it (`<role> trust policy`), bound to the caller."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    account_id = parts[4]
    if not Account.objects.filter(account_id=account_id, sandbox__accounts__account_id=identity.account_id).exists():
        return None  # not one of this learner's accounts
    role = next((role for role in roles_snapshot(account_id=account_id) if role.arn == role_arn), None)
    if role is None:
        return None
    principal = caller.identity
    if principal is not None and principal.session is not None and principal.is_role_session:
        binding = (principal.role_arn, principal.session.role_id)
    else:
        binding = (caller.arn, principal.principal_id if principal is not None else "")
    document = bound_trust_policy(account_id, role.name, role.trust_policy, *binding)
    try:
        return iam.parse_policy(document, name=f"{role.name} trust policy", kind=iam.PolicyKind.TRUST,
                                check_size=False)
    except iam.PolicySyntaxError:
        return None


def _evaluate(identity: Identity, caller: _Caller, spec: SimulationSpec, action: str, resource: str,
              resource_policy: iam.Policy | None) -> iam.Evaluation:
    """The request as the caller would make it; the learner's context keys win over the derived ones."""
    context = iam.make_context({entry.key: list(entry.values) for entry in spec.context})
    parts = resource.split(":")
    resource_account = parts[4] if len(parts) > 5 and parts[4].isdigit() else identity.account_id
    if caller.identity is not None:
        request = request_for(caller.identity, action=action, resource=resource, context=context,
                              resource_account=resource_account, principal_tags=caller.policies.tags)
    else:
        moment = sandbox_now(identity.account_id)
        base = iam.make_context({"aws:SecureTransport": "true", "aws:EpochTime": str(int(moment.timestamp())),
                                 "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})
        request = iam.Request(action=action, resource=resource, principal=iam.Principal.aws(caller.arn),
                              context=base.merged_with(context), resource_account=resource_account)
    return iam.evaluate(request, caller.policies.inputs(resource_policy))


def _result(evaluation: iam.Evaluation, caller: CallerPolicies, resource_policy: iam.Policy | None,
            language: Language) -> ActionResult:
    decisive, near = _marks(evaluation)
    shown: list[RenderedPolicy] = []
    others: list[str] = []
    for kind, policy in _policies(caller, resource_policy):
        picked = _indexes(decisive, kind, policy.name)
        nearly = _indexes(near, kind, policy.name)
        if picked or nearly:
            shown.append(RenderedPolicy(name=policy.name, kind_label=KIND_LABELS[kind],
                                        segments=policy_segments(policy.text, decisive=picked, near=nearly)))
        else:
            others.append(policy.name)
    return ActionResult(
        action=evaluation.request.action, resource=evaluation.request.resource, decision=evaluation.decision,
        decision_label=DECISION_LABELS[evaluation.decision], reasons=tuple(ref.label for ref in evaluation.reasons),
        explanation=tuple(explanation_parts(line) for line in iam.explain(evaluation, language=language)),
        policies=tuple(shown), other_policies=tuple(dict.fromkeys(others)),
    )


Marks = set[tuple[iam.PolicyKind, iam.StatementRef]]


def _marks(evaluation: iam.Evaluation) -> tuple[Marks, Marks]:
    """The statements that decided (the reasons), and for an implicit deny those only a condition kept out."""
    decisive: Marks = set()
    near: Marks = set()
    reasons = set(evaluation.reasons)
    for result in evaluation.policy_results:
        decisive |= {(result.kind, trace.ref) for trace in (*result.allow, *result.deny) if trace.ref in reasons}
        if evaluation.decision is iam.Decision.IMPLICIT_DENY:
            near |= {(result.kind, trace.ref) for trace in result.unmatched if trace.mismatch in _NEAR_MISSES}
    return decisive, near


def _indexes(marks: Marks, kind: iam.PolicyKind, policy_name: str) -> set[int]:
    return {ref.index for marked_kind, ref in marks if marked_kind is kind and ref.policy_name == policy_name}


def _policies(caller: CallerPolicies, resource: iam.Policy | None) -> list[tuple[iam.PolicyKind, iam.Policy]]:
    """Every policy evaluated, in AWS's evaluation order."""
    found = [(iam.PolicyKind.SCP, policy) for level in caller.scps for policy in level]
    if resource is not None:
        found.append((resource.kind, resource))
    found += [(iam.PolicyKind.IDENTITY, policy) for policy in caller.identity]
    if caller.boundary is not None:
        found.append((iam.PolicyKind.BOUNDARY, caller.boundary))
    found += [(iam.PolicyKind.SESSION, policy) for policy in caller.session]
    return found


def _record(identity: Identity, spec: SimulationSpec, *, error: AwsError | None, source_arn: str = "") -> None:
    """SimulatePrincipalPolicy / SimulateCustomPolicy in the account's event history (a read-only call)."""
    params: dict[str, Any] = {"actionNames": list(spec.actions), "resourceArns": list(spec.resources)}
    if spec.mode == "principal":
        params["policySourceArn"] = source_arn or spec.principal
        name = "SimulatePrincipalPolicy"
    else:
        name = "SimulateCustomPolicy"
        if spec.caller_arn:
            params["callerArn"] = spec.caller_arn
    events.event_record(
        identity=identity, account_id=identity.account_id, event_name=name, request_parameters=params,
        error_code=error.code if error else "", error_message=error.message if error else "", read_only=True,
        user_agent=CONSOLE_USER_AGENT,
    )


# --- showing policies and explanations -------------------------------------------------------------------------


def policy_segments(text: str, *, decisive: set[int], near: set[int]) -> tuple[Segment, ...]:
    """The policy as indented JSON, cut into runs of lines; the lines of the marked statements form their own runs.

    Statement indexes are the engine's: the position in the `Statement` array (0 for a single statement object).
    """
    try:
        data = json.loads(text)
    except ValueError:
        return (Segment(text),)
    segments: list[Segment] = []
    for line, index in _policy_lines(data):
        mark = "decisive" if index in decisive else "near" if index in near else ""
        if segments and segments[-1].mark == mark:
            segments[-1] = Segment(segments[-1].text + "\n" + line, mark)
        else:
            if segments:
                segments[-1] = Segment(segments[-1].text, segments[-1].mark, end="\n")
            segments.append(Segment(line, mark))
    return tuple(segments)


def _dumped(value: Any) -> list[str]:
    return json.dumps(value, indent=2, ensure_ascii=False).splitlines()


def _policy_lines(data: Any) -> list[tuple[str, int | None]]:
    """Each line of the indented document and the index of the statement it belongs to (None outside statements)."""
    if not isinstance(data, dict):
        return [(line, None) for line in _dumped(data)]
    lines: list[tuple[str, int | None]] = [("{", None)]
    items = list(data.items())
    for position, (key, value) in enumerate(items):
        comma = "," if position < len(items) - 1 else ""
        head = f"  {json.dumps(key, ensure_ascii=False)}: "
        if key == "Statement" and isinstance(value, list):
            lines.append((head + "[", None))
            for index, statement in enumerate(value):
                block = _dumped(statement)
                block[-1] += "," if index < len(value) - 1 else ""
                lines += [("    " + line, index) for line in block]
            lines.append(("  ]" + comma, None))
            continue
        block = _dumped(value)
        block[-1] += comma
        owner = 0 if key == "Statement" and isinstance(value, dict) else None
        lines.append((head + block[0], owner))
        lines += [("  " + line, owner) for line in block[1:]]
    lines.append(("}", None))
    return lines


def explanation_parts(line: str) -> tuple[tuple[str, bool], ...]:
    """An explanation line cut at its backticks: (text, True) for the values the engine quoted."""
    pieces = line.split("`")
    if len(pieces) % 2 == 0:  # an unpaired backtick: show the line as it is
        return ((line, False),)
    return tuple((piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece)
