"""What IAM checks before it stores a policy or a name, and moto does not: done with our engine, AWS's words."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import iam
from iam.limits import InlineOwner
from sandbox.endpoint.dispatch import MotoResponse, iam_error
from sandbox.errors import AwsError, MalformedPolicyDocument
from sandbox.moto_store import AccountBackends
from sandbox.roles import check_principals_exist, parse_trust_policy
from sandbox.sts.params import validate

TRUST_DOCUMENTS = {"CreateRole": "AssumeRolePolicyDocument", "UpdateAssumeRolePolicy": "PolicyDocument"}
INLINE_OWNERS: dict[str, tuple[InlineOwner, str]] = {
    "PutRolePolicy": ("role", "RoleName"), "PutUserPolicy": ("user", "UserName"),
    "PutGroupPolicy": ("group", "GroupName"),
}
MFA_STILL_ASSIGNED = "Cannot delete entity, must delete MFA device first."
POLICY_ATTACHED = "Cannot delete a policy attached to entities."
POLICY_VERSIONS = (
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. "
    "The default version is deleted with the policy."
)
MANAGED_DOCUMENTS = frozenset({"CreatePolicy", "CreatePolicyVersion"})
# AWS: names of roles, users and groups are unique in an account regardless of case.
UNIQUE_NAMES = {"CreateRole": ("RoleName", "Role"), "CreateUser": ("UserName", "User"),
                "CreateGroup": ("GroupName", "Group")}


def _existing_names(backends: AccountBackends, kind: str) -> list[str]:
    if kind == "Role":
        return [str(role.name) for role in backends.iam.get_roles()]
    if kind == "User":
        return list(backends.iam.users)
    return list(backends.iam.groups)


def _inline_documents(backends: AccountBackends, owner: str, name: str) -> dict[str, str]:
    if owner == "role":
        role = next((r for r in backends.iam.get_roles() if r.name == name), None)
        return dict(role.policies) if role else {}
    entity = (backends.iam.users if owner == "user" else backends.iam.groups).get(name)
    return dict(entity.policies) if entity else {}


def precheck(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> MotoResponse | None:
    """An AWS error for a call IAM would refuse before storing anything, or None to go ahead."""
    try:
        _precheck(backends, name, params)
    except AwsError as error:
        return iam_error(error.code, error.message, error.status)
    except iam.PolicySyntaxError as error:
        status = 409 if error.code == "LimitExceeded" else 400
        return iam_error(error.code, error.message, status)
    return None


def _precheck(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> None:
    # The API model's own constraints (name patterns, lengths, ranges), in IAM's words; moto checks few of them.
    validate(name, params, service="iam")
    if name == "DeletePolicy":
        _check_policy_deletable(backends, str(params.get("PolicyArn", "")))
    if name in UNIQUE_NAMES:
        parameter, kind = UNIQUE_NAMES[name]
        wanted = str(params.get(parameter, ""))
        if any(existing.lower() == wanted.lower() for existing in _existing_names(backends, kind)):
            raise AwsError(f"{kind} with name {wanted} already exists.", code="EntityAlreadyExists", status=409)
    if name in TRUST_DOCUMENTS:
        document = params.get(TRUST_DOCUMENTS[name])
        if isinstance(document, str):
            check_principals_exist(backends, parse_trust_policy(document))
    if name in INLINE_OWNERS:
        owner, parameter = INLINE_OWNERS[name]
        document = str(params.get("PolicyDocument", ""))
        # Inline policies have no per-document quota, only the per-owner aggregate checked below.
        _identity_policy(document, str(params.get("PolicyName", "policy")), check_size=False)
        documents = _inline_documents(backends, owner, str(params.get(parameter, "")))
        documents[str(params.get("PolicyName", ""))] = document
        iam.check_inline_aggregate(owner, documents.values(), name=str(params.get(parameter, "")))
    if name in MANAGED_DOCUMENTS:
        _identity_policy(str(params.get("PolicyDocument", "")), str(params.get("PolicyName", "policy")))
    if name == "DeleteUser":
        user = backends.iam.users.get(str(params.get("UserName", "")))
        if user is not None and user.mfa_devices:
            # AWS refuses rather than leave an MFA device assigned to nobody.
            raise AwsError(MFA_STILL_ASSIGNED, code="DeleteConflict", status=409)


def _check_policy_deletable(backends: AccountBackends, arn: str) -> None:
    """IAM refuses to delete a managed policy still attached, or one with versions other than the default."""
    policy = backends.iam.managed_policies.get(arn)
    if policy is None:
        return
    if policy.attachment_count:
        raise AwsError(POLICY_ATTACHED, code="DeleteConflict", status=409)
    if len(policy.versions) > 1:
        raise AwsError(POLICY_VERSIONS, code="DeleteConflict", status=409)


def _identity_policy(document: str, name: str, *, check_size: bool = True) -> None:
    try:
        iam.parse_policy(document, name=name, kind=iam.PolicyKind.IDENTITY, check_size=check_size)
    except iam.PolicySyntaxError as error:
        if error.code == "LimitExceeded":
            raise
        raise MalformedPolicyDocument(error.message) from error
