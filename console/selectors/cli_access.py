"""CLI access: the learner's endpoint, access key id and an `~/.aws/config` with a profile per role they can reach.

Which roles are reachable is decided by the engine (trust probes, not JSON comparison): the learner's IAM user asks
for sts:AssumeRole as the AWS CLI would, with no extras, then with the external ID the trust policy names, then with
MFA, then both. The first request allowed says which of `external_id` and `mfa_serial` the profile needs.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

import iam
from sandbox import provisioning
from sandbox.authorize import CallerPolicies, caller_policies, request_for
from sandbox.identity import Identity
from sandbox.mfa import enabled_devices
from sandbox.models import AccessKeyOwner, Account
from sandbox.moto_store import account_reader
from sandbox.roles import RoleInfo, roles_snapshot
from sandbox.sts.trust_bindings import bound_trust_policy

REGION = "us-east-1"
SECRET_PLACEHOLDER = "YOUR_SECRET_ACCESS_KEY"  # noqa: S105 - a placeholder the learner replaces, not a secret
_EXTERNAL_ID_OPERATORS = (iam.ConditionOperator.STRING_EQUALS, iam.ConditionOperator.STRING_LIKE)


@dataclass(frozen=True, slots=True)
class RoleProfile:
    """One `[profile ...]` of the generated config."""

    profile: str
    role_arn: str
    account_id: str
    account_alias: str
    external_id: str = ""
    mfa_serial: str = ""
    mfa_device_missing: bool = False  # the trust policy requires MFA and the user has no device yet


@dataclass(frozen=True, slots=True)
class CliAccess:
    endpoint_url: str
    region: str
    user_name: str
    user_arn: str
    account_id: str
    access_key_ids: tuple[str, ...]
    mfa_serial: str
    profiles: tuple[RoleProfile, ...]

    @property
    def access_key_id(self) -> str:
        return self.access_key_ids[0] if self.access_key_ids else ""

    @property
    def configure_commands(self) -> str:
        return "\n".join((
            f"aws configure set aws_access_key_id {self.access_key_id or 'YOUR_ACCESS_KEY_ID'}",
            f"aws configure set aws_secret_access_key {SECRET_PLACEHOLDER}",
            f"aws configure set region {self.region}",
        ))

    @property
    def environment(self) -> str:
        return f"export AWS_ENDPOINT_URL={self.endpoint_url}"

    @property
    def config_file(self) -> str:
        """`~/.aws/config`: the default profile (the IAM user's key) and one profile per reachable role."""
        blocks = [f"[default]\nregion = {self.region}\nendpoint_url = {self.endpoint_url}"]
        for profile in self.profiles:
            lines = [f"[profile {profile.profile}]", f"role_arn = {profile.role_arn}", "source_profile = default"]
            if profile.external_id:
                lines.append(f"external_id = {profile.external_id}")
            if profile.mfa_serial:
                lines.append(f"mfa_serial = {profile.mfa_serial}")
            lines += [f"region = {self.region}", f"endpoint_url = {self.endpoint_url}"]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"


@dataclass(frozen=True, slots=True)
class _Requirement:
    external_id: str
    mfa: bool


def cli_access_get(*, user: User, identity: Identity, endpoint_url: str) -> CliAccess:
    """What the learner needs to use the AWS CLI against their sandbox; `identity` is where the console is now."""
    learner = provisioning.learner_identity(user=user)
    keys = AccessKeyOwner.objects.filter(
        account__account_id=learner.account_id, user_name=learner.name
    ).order_by("created_at").values_list("access_key_id", flat=True)
    with account_reader(learner.account_id) as backends:
        caller = caller_policies(backends, learner)
        devices = enabled_devices(backends, learner.name)
    mfa_serial = devices[0] if devices else ""
    profiles = _profiles(learner, caller, identity.account_id, mfa_serial)
    return CliAccess(
        endpoint_url=endpoint_url, region=REGION, user_name=learner.name, user_arn=learner.arn,
        account_id=learner.account_id, access_key_ids=tuple(keys), mfa_serial=mfa_serial, profiles=profiles,
    )


def _candidates(learner: Identity, current_account_id: str) -> list[tuple[Account, RoleInfo]]:
    """The member accounts' OrganizationAccountAccessRole, then the roles of the account the console is in."""
    accounts = {account.account_id: account for account in Account.objects.filter(
        sandbox__accounts__account_id=learner.account_id).order_by("alias")}
    found: list[tuple[Account, RoleInfo]] = []
    for account in accounts.values():
        if account.kind != Account.Kind.MEMBER:
            continue
        found += [(account, role) for role in roles_snapshot(account_id=account.account_id)
                  if role.name == provisioning.ORGANIZATION_ACCESS_ROLE]
    current = accounts.get(current_account_id)
    if current is not None:
        seen = {role.arn for _, role in found}
        found += [(current, role) for role in roles_snapshot(account_id=current.account_id) if role.arn not in seen]
    return found


def _profiles(learner: Identity, caller: CallerPolicies, current_account_id: str,
              mfa_serial: str) -> tuple[RoleProfile, ...]:
    profiles: list[RoleProfile] = []
    names: set[str] = set()
    for account, role in _candidates(learner, current_account_id):
        needs = _requirement(learner, caller, account.account_id, role)
        if needs is None:
            continue
        name = _profile_name(account, role)
        if name in names:
            name = f"{name}-{account.account_id}"
        names.add(name)
        device = mfa_serial or f"arn:aws:iam::{learner.account_id}:mfa/{learner.name}"
        profiles.append(RoleProfile(
            profile=name, role_arn=role.arn, account_id=account.account_id, account_alias=account.alias,
            external_id=needs.external_id, mfa_serial=device if needs.mfa else "",
            mfa_device_missing=needs.mfa and not mfa_serial,
        ))
    return tuple(profiles)


def _profile_name(account: Account, role: RoleInfo) -> str:
    if account.kind == Account.Kind.MEMBER and role.name == provisioning.ORGANIZATION_ACCESS_ROLE:
        return account.alias or account.account_id
    if account.is_home:
        return role.name
    return f"{account.alias or account.account_id}-{role.name}"


def _requirement(learner: Identity, caller: CallerPolicies, account_id: str, role: RoleInfo) -> _Requirement | None:
    """What the CLI must send for the learner's IAM user to assume `role`, or None when nothing lets it in."""
    document = bound_trust_policy(account_id, role.name, role.trust_policy, learner.arn, learner.principal_id)
    try:
        trust = iam.parse_policy(document, name=f"{role.name} trust policy", kind=iam.PolicyKind.TRUST,
                                 check_size=False)
    except iam.PolicySyntaxError:
        return None
    external_ids = _external_ids(trust)
    tries = [_Requirement("", False), _Requirement("", True)]
    for external_id in external_ids:
        tries[1:1] = [_Requirement(external_id, False)]
        tries.append(_Requirement(external_id, True))
    for needs in tries:
        keys: dict[str, str | list[str]] = {"sts:RoleSessionName": learner.name}
        if needs.external_id:
            keys["sts:ExternalId"] = needs.external_id
        if needs.mfa:
            keys.update({"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"})
        request = request_for(learner, action="sts:AssumeRole", resource=role.arn, context=iam.make_context(keys),
                              resource_account=account_id, principal_tags=caller.tags)
        if iam.evaluate(request, caller.inputs(trust)).allowed:
            return needs
    return None


def _external_ids(trust: iam.Policy) -> list[str]:
    """The external IDs an Allow statement of the trust policy asks for (exact values only)."""
    found: list[str] = []
    for statement in trust.statements:
        if statement.effect != iam.Effect.ALLOW:
            continue
        for clause in statement.conditions:
            if clause.key.lower() == "sts:externalid" and clause.operator in _EXTERNAL_ID_OPERATORS:
                found += [value for value in clause.values if "*" not in value and "?" not in value]
    return list(dict.fromkeys(found))[:3]
