"""AWS Organizations as the learner's sandbox sees it (describe and list calls), answered from our own models."""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sandbox import scps
from sandbox.errors import OrganizationsError
from sandbox.identity import Identity
from sandbox.models import Account, Organization, OrganizationPolicy
from sandbox.operations import Operation, OrganizationRef

NOT_IN_USE = "Your account is not a member of an organization."
NOT_MANAGEMENT = "You don't have permissions to access this resource."
ACCOUNT_NOT_FOUND = "You specified an account that doesn't exist."
NOT_SUPPORTED = "{name} is not available in this training sandbox yet"
SCP_ENABLED = [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]


@lru_cache(maxsize=4096)
def organization_ref(account_id: str) -> OrganizationRef | None:
    """The organization an account belongs to (None outside one). Cached: accounts never change organization."""
    account = Account.objects.select_related("sandbox__organization").get(account_id=account_id)
    organization = getattr(account.sandbox, "organization", None)
    if organization is None or account.kind == Account.Kind.EXTERNAL:
        return None
    management = account.sandbox.accounts.get(is_home=True)
    return OrganizationRef(id=organization.org_id, management_account_id=management.account_id)


@lru_cache(maxsize=4096)
def organization_root(org_id: str) -> str:
    """The root id (`r-...`) of an organization."""
    return str(Organization.objects.values_list("root_id", flat=True).get(org_id=org_id))


def _organization(ref: OrganizationRef) -> Organization:
    return Organization.objects.select_related("sandbox").get(org_id=ref.id)


def _account_json(account: Account, organization: Organization, management_id: str) -> dict[str, Any]:
    return {
        "Id": account.account_id,
        "Arn": f"arn:aws:organizations::{management_id}:account/{organization.org_id}/{account.account_id}",
        "Email": account.email,
        "Name": account.alias,
        "Status": "ACTIVE",
        "State": "ACTIVE",
        "JoinedMethod": "INVITED" if account.kind == Account.Kind.MANAGEMENT else "CREATED",
        "JoinedTimestamp": account.created_at.timestamp(),
    }


def _members(organization: Organization) -> list[Account]:
    kinds = (Account.Kind.MANAGEMENT, Account.Kind.MEMBER)
    return list(organization.sandbox.accounts.filter(kind__in=kinds).order_by("-is_home", "alias"))


def organization_answer(
    *, identity: Identity, operation: Operation, organization: OrganizationRef | None
) -> dict[str, Any]:
    """The JSON answer to one Organizations call made by `identity` (already authorized by IAM)."""
    if organization is None:
        raise OrganizationsError(NOT_IN_USE, code="AWSOrganizationsNotInUseException")
    org = _organization(organization)
    management_id = organization.management_account_id
    name = operation.name
    if name == "DescribeOrganization":
        management = org.sandbox.accounts.get(is_home=True)
        return {"Organization": {
            "Id": org.org_id,
            "Arn": f"arn:aws:organizations::{management_id}:organization/{org.org_id}",
            "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{management_id}:account/{org.org_id}/{management_id}",
            "MasterAccountId": management_id,
            "MasterAccountEmail": management.email,
            "AvailablePolicyTypes": SCP_ENABLED,
        }}
    if identity.account_id != management_id:
        # AWS: only the management account (or a delegated administrator) may list and describe the rest.
        raise OrganizationsError(NOT_MANAGEMENT, code="AccessDeniedException")
    return _management_answer(name, operation.params, org, management_id)


def _management_answer(
    name: str, params: Mapping[str, Any], org: Organization, management_id: str
) -> dict[str, Any]:
    accounts = _members(org)
    root = {
        "Id": org.root_id,
        "Arn": f"arn:aws:organizations::{management_id}:root/{org.org_id}/{org.root_id}",
        "Name": "Root",
        "PolicyTypes": SCP_ENABLED,
    }
    if name in ("ListAccounts", "ListAccountsForParent"):
        return {"Accounts": [_account_json(account, org, management_id) for account in accounts]}
    if name == "DescribeAccount":
        found = next((a for a in accounts if a.account_id == params.get("AccountId")), None)
        if found is None:
            raise OrganizationsError(ACCOUNT_NOT_FOUND, code="AccountNotFoundException")
        return {"Account": _account_json(found, org, management_id)}
    if name == "ListRoots":
        return {"Roots": [root]}
    if name == "ListParents":
        return {"Parents": [{"Id": org.root_id, "Type": "ROOT"}]}
    if name in ("ListOrganizationalUnitsForParent", "ListChildren"):
        if name == "ListChildren" and params.get("ChildType") == "ACCOUNT":
            return {"Children": [{"Id": account.account_id, "Type": "ACCOUNT"} for account in accounts]}
        return {"OrganizationalUnits": []} if name.startswith("ListOrganizational") else {"Children": []}
    if name in POLICY_CALLS:
        return _policy_answer(name, params, org, management_id)
    raise OrganizationsError(NOT_SUPPORTED.format(name=name), code="UnsupportedAPIEndpointException")


POLICY_CALLS = frozenset({
    "ListPolicies", "DescribePolicy", "CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy",
    "DetachPolicy", "ListPoliciesForTarget", "ListTargetsForPolicy",
})


def _policy_summary(policy: OrganizationPolicy, org: Organization, management_id: str) -> dict[str, Any]:
    if policy.aws_managed:
        arn = f"arn:aws:organizations::aws:policy/service_control_policy/{policy.policy_id}"
    else:
        arn = f"arn:aws:organizations::{management_id}:policy/{org.org_id}/service_control_policy/{policy.policy_id}"
    return {
        "Id": policy.policy_id, "Arn": arn, "Name": policy.name, "Description": policy.description,
        "Type": policy.type, "AwsManaged": policy.aws_managed,
    }


def _policy(policy: OrganizationPolicy, org: Organization, management_id: str) -> dict[str, Any]:
    return {"Policy": {"PolicySummary": _policy_summary(policy, org, management_id), "Content": policy.content}}


def _check_type(params: Mapping[str, Any]) -> None:
    wanted = params.get("Filter") or params.get("Type") or scps.SCP_TYPE
    if wanted != scps.SCP_TYPE:
        raise OrganizationsError(f"{wanted} policies are not available in this training sandbox yet",
                                 code="PolicyTypeNotEnabledException")


def _policy_answer(name: str, params: Mapping[str, Any], org: Organization, management_id: str) -> dict[str, Any]:
    policy_id = str(params.get("PolicyId", ""))
    target_id = str(params.get("TargetId", ""))
    if name == "ListPolicies":
        _check_type(params)
        return {"Policies": [_policy_summary(p, org, management_id) for p in org.policies.order_by("name")]}
    if name == "ListPoliciesForTarget":
        _check_type(params)
        attached = org.policies.filter(attachments__target_id=target_id).order_by("name")
        return {"Policies": [_policy_summary(p, org, management_id) for p in attached]}
    if name == "DescribePolicy":
        return _policy(scps.policy_get(org, policy_id), org, management_id)
    if name == "CreatePolicy":
        _check_type(params)
        created = scps.policy_create(
            org, name=str(params.get("Name", "")), description=str(params.get("Description", "")),
            content=str(params.get("Content", "")),
        )
        return _policy(created, org, management_id)
    if name == "UpdatePolicy":
        updated = scps.policy_update(
            org, policy_id, name=params.get("Name"), description=params.get("Description"),
            content=params.get("Content"),
        )
        return _policy(updated, org, management_id)
    if name == "DeletePolicy":
        scps.policy_delete(org, policy_id)
    elif name == "AttachPolicy":
        scps.policy_attach(org, policy_id, target_id)
    elif name == "DetachPolicy":
        scps.policy_detach(org, policy_id, target_id)
    elif name == "ListTargetsForPolicy":
        return {"Targets": [_target(t.target_id, org, management_id) for t in scps.policy_get(org, policy_id)
                            .attachments.order_by("target_id")]}
    return {}


def _target(target_id: str, org: Organization, management_id: str) -> dict[str, Any]:
    if target_id == org.root_id:
        return {"TargetId": target_id, "Arn": f"arn:aws:organizations::{management_id}:root/{org.org_id}/{target_id}",
                "Name": "Root", "Type": "ROOT"}
    account = org.sandbox.accounts.get(account_id=target_id)
    return {"TargetId": target_id,
            "Arn": f"arn:aws:organizations::{management_id}:account/{org.org_id}/{target_id}",
            "Name": account.alias, "Type": "ACCOUNT"}
