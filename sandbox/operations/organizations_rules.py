"""Organizations (JSON 1.1): Describe*, List* and the policy calls, on `*` or the organization's resources.

Organization resources live in the management account: an account is
`arn:aws:organizations::MANAGEMENT:account/o-ORG/ACCOUNT`, an OU `.../ou/o-ORG/ou-...`, a root
`.../root/o-ORG/r-...`, a policy `.../policy/o-ORG/service_control_policy/p-...` and an AWS
managed policy `arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess`.
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import iam
from sandbox.operations.model import Authorization, Operation, OrganizationRef, RequestRejected
from sandbox.operations.scope import Handler, Scope, anywhere, optional, required

Key = Literal["filter", "policy-type", "service-principal", "target-policy-type"]
"""`organizations:PolicyType` from `Filter` or `PolicyType`, or the type of the policy the call
names; `organizations:ServicePrincipal` from `ServicePrincipal`."""


@dataclass(frozen=True, slots=True)
class Rule:
    """`*`, or the root, OU, account or policy whose id is in `param` (the caller's account if absent)."""

    param: str | None = None
    keys: tuple[Key, ...] = ()


RULES: dict[str, Rule] = {
    "DescribeOrganization": Rule(),
    "DescribeCreateAccountStatus": Rule(),
    "DescribeResourcePolicy": Rule(),
    "ListAccounts": Rule(),
    "ListRoots": Rule(),
    "ListAWSServiceAccessForOrganization": Rule(),
    "ListCreateAccountStatus": Rule(),
    "ListHandshakesForAccount": Rule(),
    "ListHandshakesForOrganization": Rule(),
    "ListPolicies": Rule(keys=("filter",)),
    "ListDelegatedAdministrators": Rule(keys=("service-principal",)),
    "ListAccountsWithInvalidEffectivePolicy": Rule(keys=("policy-type",)),
    "DescribeAccount": Rule("AccountId"),
    "DescribeOrganizationalUnit": Rule("OrganizationalUnitId"),
    "DescribePolicy": Rule("PolicyId", ("target-policy-type",)),
    "DescribeEffectivePolicy": Rule("TargetId", ("policy-type",)),
    "ListChildren": Rule("ParentId"),
    "ListAccountsForParent": Rule("ParentId"),
    "ListOrganizationalUnitsForParent": Rule("ParentId"),
    "ListParents": Rule("ChildId"),
    "ListPoliciesForTarget": Rule("TargetId", ("filter",)),
    "ListTargetsForPolicy": Rule("PolicyId", ("target-policy-type",)),
    "ListTagsForResource": Rule("ResourceId", ("target-policy-type",)),
    "ListDelegatedServicesForAccount": Rule("AccountId"),
    "ListEffectivePolicyValidationErrors": Rule("AccountId", ("policy-type",)),
    "UpdatePolicy": Rule("PolicyId", ("target-policy-type",)),
    "DeletePolicy": Rule("PolicyId", ("target-policy-type",)),
}

OPTIONAL_TARGET = frozenset({"DescribeEffectivePolicy"})
"""Calls whose target defaults to the caller's account."""

NOT_IN_USE = "Your account is not a member of an organization."
_CUSTOMER_POLICY_ID = re.compile(r"p-[0-9a-z_]{8,128}")


def _organization(scope: Scope) -> OrganizationRef:
    organization = scope.resolve.organization()
    if organization is None:
        raise RequestRejected("AWSOrganizationsNotInUseException", NOT_IN_USE)
    return organization


def _policy_type(policy_id: str, scope: Scope) -> str:
    policy_type = scope.resolve.organizations_policy_type(policy_id)
    if policy_type is None:
        raise RequestRejected("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
    return policy_type


def target_arn(target: str, scope: Scope) -> str:
    """The ARN of a root (`r-`), OU (`ou-`), account (12 digits) or policy (`p-`) id."""
    organization = _organization(scope)
    owner = f"arn:{scope.partition}:organizations::{organization.management_account_id}"
    kinds = {"r-": "root", "ou-": "ou"}
    kind = next((name for prefix, name in kinds.items() if target.startswith(prefix)), None)
    if kind:
        return f"{owner}:{kind}/{organization.id}/{target}"
    if target.isdigit() and len(target) == 12:
        return f"{owner}:account/{organization.id}/{target}"
    if target.startswith("p-"):
        folder = _policy_type(target, scope).lower()
        if not _CUSTOMER_POLICY_ID.fullmatch(target):
            return f"arn:{scope.partition}:organizations::aws:policy/{folder}/{target}"
        return f"{owner}:policy/{organization.id}/{folder}/{target}"
    raise RequestRejected("InvalidInputException", f"`{target}` is not a root, OU, account or policy id")


def _context(rule: Rule, operation: Operation, target: str | None, scope: Scope) -> iam.Context:
    keys: dict[str, str] = {}
    policy_type = optional(operation, "Filter") if "filter" in rule.keys else None
    if "policy-type" in rule.keys:
        policy_type = required(operation, "PolicyType")
    if "target-policy-type" in rule.keys and target and target.startswith("p-"):
        policy_type = _policy_type(target, scope)
    if policy_type:
        keys["organizations:PolicyType"] = policy_type
    principal = optional(operation, "ServicePrincipal") if "service-principal" in rule.keys else None
    if principal:
        keys["organizations:ServicePrincipal"] = principal
    return iam.make_context(keys)


def _handler(rule: Rule) -> Handler:
    def authorizations(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
        action = f"organizations:{operation.name}"
        if rule.param is None:
            return (anywhere(action, scope, _context(rule, operation, None, scope)),)
        if operation.name in OPTIONAL_TARGET:
            target = optional(operation, rule.param) or scope.account_id
        else:
            target = required(operation, rule.param)
        resource = target_arn(target, scope)
        # AWS managed policies (`organizations::aws:policy/...`) count as the organization's own.
        owner = resource.split(":")[4]
        owner = owner if owner.isdigit() else _organization(scope).management_account_id
        return (Authorization(action, resource, _context(rule, operation, target, scope), resource_account=owner),)

    return authorizations


def _create_policy(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """CreatePolicy: on `*`, with `organizations:PolicyType` from `Type`."""
    _organization(scope)
    keys = iam.make_context({"organizations:PolicyType": required(operation, "Type")})
    return (anywhere("organizations:CreatePolicy", scope, keys),)


def _attach_or_detach(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """AttachPolicy / DetachPolicy: checked on the policy and on the target (root, OU or account)."""
    action = f"organizations:{operation.name}"
    policy_id = required(operation, "PolicyId")
    keys = iam.make_context({"organizations:PolicyType": _policy_type(policy_id, scope)})
    owner = _organization(scope).management_account_id
    return tuple(
        Authorization(action, target_arn(target, scope), keys, resource_account=owner)
        for target in (policy_id, required(operation, "TargetId"))
    )


HANDLERS: dict[str, Handler] = {name: _handler(rule) for name, rule in RULES.items()}
HANDLERS.update({"CreatePolicy": _create_policy, "AttachPolicy": _attach_or_detach, "DetachPolicy": _attach_or_detach})
