"""Writes of the create-role wizard: its state between steps, and "Create role" as the console performs it.

"Create role" is the same sequence of IAM calls the AWS console makes: CreateRole (with Tags and
PermissionsBoundary), AttachRolePolicy for each chosen policy, and for a role EC2 may assume also
CreateInstanceProfile + AddRoleToInstanceProfile with the role's name
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html).
Every call goes through `sandbox.api.iam_call` as the signed-in identity.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from console.services.wizard_trust import USE_CASES, EntityType, TrustChoice, trust_policy_text, trusts_ec2
from console.wizard_state import ReviewDraft, WizardState
from sandbox.api import iam_call
from sandbox.errors import AwsError
from sandbox.identity import Identity


@dataclass(frozen=True, slots=True)
class RolePlan:
    """Everything "Create role" needs, as step 3 validated it."""

    role_name: str
    trust_policy: str
    description: str = ""
    policies: tuple[str, ...] = ()
    boundary: str = ""
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FollowUpFailure:
    """A call after CreateRole that IAM refused: the role exists, this part of it does not."""

    action: str
    target: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RoleCreated:
    role_name: str
    instance_profile: bool
    failures: tuple[FollowUpFailure, ...] = ()


def wizard_trust_choose(state: WizardState, choice: TrustChoice) -> WizardState:
    """Step 1's Next: remember the choice and generate its trust policy.

    Choosing the same entity again keeps a trust policy edited in step 3. A use case's suggested policies are
    preselected when nothing is selected yet.
    """
    if choice != state["choice"] or not state["trust_policy"]:
        state["trust_policy"] = trust_policy_text(choice)
    state["choice"] = choice
    if choice.get("entity_type") == EntityType.AWS_SERVICE and not state["policies"]:
        _, case = USE_CASES[choice["use_case"]]
        state["policies"] = list(case.suggested_policies)
    return state


def wizard_policies_select(state: WizardState, *, selected: list[str], boundary: str) -> WizardState:
    """Step 2: the selected policies (in the order chosen) and the permissions boundary ("" for none)."""
    state["policies"] = list(dict.fromkeys(selected))
    state["boundary"] = boundary
    return state


def wizard_review_keep(state: WizardState, *, draft: ReviewDraft, trust_policy: str) -> WizardState:
    """Step 3 as typed so far (kept across reloads and Previous)."""
    state["review"] = draft
    state["trust_policy"] = trust_policy
    return state


def role_wizard_create(*, identity: Identity, plan: RolePlan) -> RoleCreated:
    """Create the role; AwsError when CreateRole itself is refused (then nothing was created).

    Once the role exists, a refused follow-up call does not undo it: it is returned in `failures`.
    """
    params: dict[str, object] = {"RoleName": plan.role_name, "AssumeRolePolicyDocument": plan.trust_policy}
    if plan.description:
        params["Description"] = plan.description
    if plan.boundary:
        params["PermissionsBoundary"] = plan.boundary
    if plan.tags:
        params["Tags"] = [{"Key": key, "Value": value} for key, value in plan.tags]
    iam_call(identity, "CreateRole", params)
    failures: list[FollowUpFailure] = []
    for arn in plan.policies:
        _follow_up(identity, failures, "AttachRolePolicy", arn, {"RoleName": plan.role_name, "PolicyArn": arn})
    instance_profile = trusts_ec2(plan.trust_policy)
    if instance_profile:
        profile = {"InstanceProfileName": plan.role_name}
        if _follow_up(identity, failures, "CreateInstanceProfile", plan.role_name, profile):
            _follow_up(identity, failures, "AddRoleToInstanceProfile", plan.role_name,
                       {**profile, "RoleName": plan.role_name})
    return RoleCreated(role_name=plan.role_name, instance_profile=instance_profile, failures=tuple(failures))


def _follow_up(
    identity: Identity, failures: list[FollowUpFailure], action: str, target: str, params: Mapping[str, object]
) -> bool:
    try:
        iam_call(identity, action, params)
    except AwsError as refused:
        failures.append(FollowUpFailure(action=action, target=target, code=refused.code, message=refused.message))
        return False
    return True
