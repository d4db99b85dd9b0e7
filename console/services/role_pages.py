"""Writes from the Roles list and the role page, each an IAM call (or the console's sequence of them) via iam_call."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sandbox.api import iam_call
from sandbox.errors import AwsError
from sandbox.identity import Identity


@dataclass(frozen=True, slots=True)
class RoleDeletion:
    """What happened to one role of a "Delete" (the error is AWS's, as `Code: message`)."""

    role_name: str
    error: str = ""

    @property
    def deleted(self) -> bool:
        return not self.error


def role_delete(*, identity: Identity, role_name: str) -> None:
    """Delete a role as the console does: what DeleteRole requires first is removed for you.

    Managed policies are detached, inline policies deleted and the role removed from its instance profiles; the
    instance profile of the same name (the one the console made for an EC2 role) is deleted with it.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html
    """
    name = {"RoleName": role_name}
    for policy in iam_call(identity, "ListAttachedRolePolicies", name)["AttachedPolicies"]:
        iam_call(identity, "DetachRolePolicy", {**name, "PolicyArn": policy["PolicyArn"]})
    for policy_name in iam_call(identity, "ListRolePolicies", name)["PolicyNames"]:
        iam_call(identity, "DeleteRolePolicy", {**name, "PolicyName": policy_name})
    profiles = iam_call(identity, "ListInstanceProfilesForRole", name)["InstanceProfiles"]
    for profile in profiles:
        iam_call(identity, "RemoveRoleFromInstanceProfile",
                 {**name, "InstanceProfileName": profile["InstanceProfileName"]})
    iam_call(identity, "DeleteRole", name)
    for profile in profiles:
        if profile["InstanceProfileName"] == role_name:
            iam_call(identity, "DeleteInstanceProfile", {"InstanceProfileName": role_name})


def roles_delete(*, identity: Identity, role_names: Iterable[str]) -> tuple[RoleDeletion, ...]:
    """Delete each role in turn; one refusal does not stop the others."""
    results = []
    for role_name in role_names:
        try:
            role_delete(identity=identity, role_name=role_name)
        except AwsError as error:
            results.append(RoleDeletion(role_name, f"{error.code}: {error.message}"))
        else:
            results.append(RoleDeletion(role_name))
    return tuple(results)


def role_summary_update(*, identity: Identity, role_name: str, description: str, max_session_duration: int) -> None:
    """The Summary's Edit: UpdateRole with the description and the maximum session duration (seconds)."""
    iam_call(identity, "UpdateRole", {
        "RoleName": role_name, "Description": description, "MaxSessionDuration": max_session_duration,
    })


def role_policies_attach(*, identity: Identity, role_name: str, policy_arns: Sequence[str]) -> None:
    for arn in policy_arns:
        iam_call(identity, "AttachRolePolicy", {"RoleName": role_name, "PolicyArn": arn})


def role_policy_detach(*, identity: Identity, role_name: str, policy_arn: str) -> None:
    iam_call(identity, "DetachRolePolicy", {"RoleName": role_name, "PolicyArn": policy_arn})


def role_inline_policy_put(*, identity: Identity, role_name: str, policy_name: str, document: str) -> None:
    iam_call(identity, "PutRolePolicy", {"RoleName": role_name, "PolicyName": policy_name, "PolicyDocument": document})


def role_inline_policy_delete(*, identity: Identity, role_name: str, policy_name: str) -> None:
    iam_call(identity, "DeleteRolePolicy", {"RoleName": role_name, "PolicyName": policy_name})


def role_boundary_set(*, identity: Identity, role_name: str, policy_arn: str) -> None:
    iam_call(identity, "PutRolePermissionsBoundary", {"RoleName": role_name, "PermissionsBoundary": policy_arn})


def role_boundary_delete(*, identity: Identity, role_name: str) -> None:
    iam_call(identity, "DeleteRolePermissionsBoundary", {"RoleName": role_name})


def role_trust_policy_update(*, identity: Identity, role_name: str, document: str) -> None:
    iam_call(identity, "UpdateAssumeRolePolicy", {"RoleName": role_name, "PolicyDocument": document})


def role_tags_update(
    *, identity: Identity, role_name: str, current: Sequence[tuple[str, str]], wanted: Sequence[tuple[str, str]]
) -> None:
    """Make the role's tags exactly `wanted`: UntagRole what went away, then TagRole what is new or changed."""
    wanted_keys = {key for key, _ in wanted}
    removed = [key for key, _ in current if key not in wanted_keys]
    changed = [(key, value) for key, value in wanted if (key, value) not in set(current)]
    if removed:
        iam_call(identity, "UntagRole", {"RoleName": role_name, "TagKeys": removed})
    if changed:
        iam_call(identity, "TagRole", {"RoleName": role_name, "Tags": [{"Key": k, "Value": v} for k, v in changed]})
