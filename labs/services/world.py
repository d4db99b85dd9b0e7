"""Load a learner's sandbox into a GradeContext: every account's roles and users, SCPs, events, console switches,
functions and instance profiles in use — the plain data the pure checks read."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labs.grading.context import AccountView, ConsoleSwitch, EventView, GradeContext, RoleView, UserView
from sandbox import events, managed_policies
from sandbox.models import Account, Ec2Instance, Event, LambdaFunction, Sandbox, StsSession
from sandbox.moto_store import AccountBackends, account_reader
from sandbox.scps import scp_levels

LAB_SETUP_AGENT = "iam-training-lab-setup"  # calls a lab's setup made for the learner: not the learner's activity
EVENTS_MAX = 2000


def _document(backends: AccountBackends, arn: str) -> str:
    policy = backends.iam.managed_policies.get(arn)
    if policy is None and managed_policies.ensure_available(backends.iam, arn):
        policy = backends.iam.managed_policies.get(arn)
    if policy is None:
        return ""
    return next((str(v.document) for v in policy.versions if v.version_id == policy.default_version_id), "")


def _roles(backends: AccountBackends, account_id: str) -> dict[str, RoleView]:
    profiles: dict[str, list[str]] = {}
    for profile in backends.iam.instance_profiles.values():
        for role in profile.roles:
            profiles.setdefault(role.id, []).append(profile.name)
    views = {}
    for role in backends.iam.get_roles():
        boundary = role.permissions_boundary_arn or ""
        views[role.name] = RoleView(
            name=role.name, arn=role.arn, trust_policy=role.assume_role_policy_document, account_id=account_id,
            path=role.path, role_id=role.id,
            managed_policies={arn: _document(backends, arn) for arn in role.managed_policies},
            inline_policies=dict(role.policies), boundary_arn=boundary,
            boundary_document=_document(backends, boundary) if boundary else "",
            max_session_duration=int(role.max_session_duration or 3600),
            tags={tag["Key"]: tag["Value"] for tag in role.tags},
            instance_profiles=tuple(sorted(profiles.get(role.id, []))),
        )
    return views


def _users(backends: AccountBackends, account_id: str) -> dict[str, UserView]:
    views = {}
    for user in backends.iam.users.values():
        policies = dict(user.policies)
        policies.update({policy.arn: _document(backends, policy.arn) for policy in user.managed_policies.values()})
        for group in backends.iam.get_groups_for_user(user.name):
            policies.update({f"{group.name}/{name}": doc for name, doc in group.policies.items()})
            policies.update({p.arn: _document(backends, p.arn) for p in group.managed_policies.values()})
        boundary = getattr(user, "permissions_boundary_arn", None) or ""
        tags = backends.iam.tagger.list_tags_for_resource(user.arn).get("Tags", [])
        views[user.name] = UserView(
            name=user.name, arn=user.arn, user_id=user.id, account_id=account_id, policies=policies,
            boundary_document=_document(backends, boundary) if boundary else "",
            tags={tag["Key"]: tag["Value"] for tag in tags}, mfa_devices=tuple(user.mfa_devices),
        )
    return views


def _account_view(account: Account) -> AccountView:
    with account_reader(account.account_id) as backends:
        roles, users = _roles(backends, account.account_id), _users(backends, account.account_id)
    scps = tuple(tuple(policy.text for policy in level) for level in scp_levels(account.account_id))
    alias = "management" if account.is_home else account.alias
    return AccountView(account_id=account.account_id, alias=alias, kind=account.kind, roles=roles, users=users,
                       scps=scps)


def _events(sandbox: Sandbox) -> tuple[EventView, ...]:
    newest = (Event.objects.filter(account__sandbox=sandbox).exclude(user_agent__startswith=LAB_SETUP_AGENT)
              .select_related("account").order_by("-event_time", "-id"))[:EVENTS_MAX]
    rows = reversed(list(newest))  # the newest EVENTS_MAX, oldest first
    return tuple(
        EventView(account_id=row.account.account_id, name=row.event_name, source=row.event_source,
                  record=events.event_cloudtrail_record(row))
        for row in rows
    )


def grade_context_for(sandbox: Sandbox, variables: Mapping[str, str] | None = None, *,
                      hints_revealed: tuple[str, ...] = ()) -> GradeContext:
    """Everything a lab's checks may read about `sandbox`, plus the learner's variables and the checks whose hint
    they revealed (none for the publish gate)."""
    accounts = {view.alias: view for view in (_account_view(a) for a in sandbox.accounts.order_by("account_id"))}
    home = accounts["management"]
    organization = getattr(sandbox, "organization", None)
    switches = tuple(
        ConsoleSwitch(role_arn=f"arn:aws:iam::{s.account.account_id}:role{s.path}{s.role_name}",
                      display_name=s.display_name, color=s.display_color)
        for s in StsSession.objects.filter(account__sandbox=sandbox, via_console=True).select_related("account")
    )
    functions = {
        f"arn:aws:lambda:{f.region}:{f.account.account_id}:function:{f.name}": f.role_arn
        for f in LambdaFunction.objects.filter(account__sandbox=sandbox).select_related("account")
    }
    in_use = tuple(
        instance.profile_association.profile_arn
        for instance in Ec2Instance.objects.filter(account__sandbox=sandbox, state="running")
        .select_related("profile_association")
        if hasattr(instance, "profile_association")
    )
    return GradeContext(
        account_id=home.account_id, roles=home.roles, accounts=accounts,
        organization_id=organization.org_id if organization else "", events=_events(sandbox),
        console_switches=switches, functions=functions, instance_profiles_in_use=in_use,
        variables=dict(variables or {}), hints_revealed=tuple(hints_revealed),
    )


def snapshot_tokens(sandbox: Sandbox) -> dict[str, Any]:
    """Which stored state of each account a grade saw (so a regrade can name it)."""
    return dict(sandbox.accounts.values_list("account_id", "snapshot_token"))
