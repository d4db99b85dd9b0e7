"""IAM (2010-05-08): the action, resource and condition keys of each call, as a table.

Every action is `iam:<OperationName>`. Resource types and condition keys follow the Service
Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/
list_awsidentityandaccessmanagementiam.html): an operation with no resource type is checked
on `*`. Calls that create or rename entities, pass roles or need a look-up are in
`iam_special.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import iam
from sandbox.operations import iam_special
from sandbox.operations.iam_entities import EntityKind, boundary_keys, entity_arn, user_or_caller
from sandbox.operations.model import Authorization, Operation, RequestRejected
from sandbox.operations.scope import Handler, Scope, anywhere, optional, owned, request_tags, required, tag_pairs

Kind = Literal["*", "role", "user", "self", "group", "instance-profile", "server-certificate", "arn"]
"""Where the resource comes from: `*`, an entity named by `param`, the calling user when the
optional `UserName` is absent (`self`), or an ARN given in `param` (`arn`)."""

Key = Literal["boundary", "boundary-param", "policy-arn", "tags", "tag-keys"]
"""Condition keys the call adds: the entity's current boundary, the boundary in the request,
`iam:PolicyARN`, request tags (`aws:RequestTag/*`, `aws:TagKeys`), tag keys alone."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: the resource kind, the parameter naming it, the condition keys."""

    kind: Kind
    param: str | None = None
    keys: tuple[Key, ...] = ()


ANY = Rule("*")


def role(*keys: Key) -> Rule:
    return Rule("role", "RoleName", keys)


def user(*keys: Key) -> Rule:
    return Rule("user", "UserName", keys)


def group(*keys: Key) -> Rule:
    return Rule("group", "GroupName", keys)


def arn(param: str, *keys: Key) -> Rule:
    return Rule("arn", param, keys)


SELF = Rule("self", "UserName")
PROFILE = Rule("instance-profile", "InstanceProfileName")
CERTIFICATE = Rule("server-certificate", "ServerCertificateName")
POLICY = arn("PolicyArn")
OIDC = arn("OpenIDConnectProviderArn")
SAML = arn("SAMLProviderArn")
MFA = arn("SerialNumber")

RULES: dict[str, Rule] = {
    # Roles. AWS: `iam:PermissionsBoundary` is listed for these role actions (not for the Get/List ones).
    "GetRole": role("boundary"),
    "DeleteRole": role("boundary"),
    "UpdateRole": role("boundary"),
    "UpdateRoleDescription": role("boundary"),
    "UpdateAssumeRolePolicy": role("boundary"),
    "PutRolePolicy": role("boundary"),
    "DeleteRolePolicy": role("boundary"),
    "GetRolePolicy": role(),
    "ListRolePolicies": role(),
    "AttachRolePolicy": role("policy-arn", "boundary"),
    "DetachRolePolicy": role("policy-arn", "boundary"),
    "ListAttachedRolePolicies": role(),
    "PutRolePermissionsBoundary": role("boundary-param"),
    "DeleteRolePermissionsBoundary": role("boundary"),
    "TagRole": role("tags"),
    "UntagRole": role("tag-keys"),
    "ListRoleTags": role(),
    "ListInstanceProfilesForRole": role(),
    "DeleteServiceLinkedRole": role(),
    "ListRoles": ANY,
    # Users.
    "GetUser": SELF,
    "DeleteUser": user(),
    "PutUserPolicy": user("boundary"),
    "DeleteUserPolicy": user("boundary"),
    "GetUserPolicy": user(),
    "ListUserPolicies": user(),
    "AttachUserPolicy": user("policy-arn", "boundary"),
    "DetachUserPolicy": user("policy-arn", "boundary"),
    "ListAttachedUserPolicies": user(),
    "PutUserPermissionsBoundary": user("boundary-param"),
    "DeleteUserPermissionsBoundary": user("boundary"),
    "TagUser": user("tags"),
    "UntagUser": user("tag-keys"),
    "ListUserTags": user(),
    "ListGroupsForUser": user(),
    "ListUsers": ANY,
    # Groups.
    "GetGroup": group(),
    "DeleteGroup": group(),
    "AddUserToGroup": group(),
    "RemoveUserFromGroup": group(),
    "PutGroupPolicy": group(),
    "GetGroupPolicy": group(),
    "DeleteGroupPolicy": group(),
    "ListGroupPolicies": group(),
    "AttachGroupPolicy": group("policy-arn"),
    "DetachGroupPolicy": group("policy-arn"),
    "ListAttachedGroupPolicies": group(),
    "ListGroups": ANY,
    # Credentials of a user: access keys, console password, SSH keys, signing certificates.
    "CreateAccessKey": SELF,
    "DeleteAccessKey": SELF,
    "UpdateAccessKey": SELF,
    "ListAccessKeys": SELF,
    "CreateLoginProfile": SELF,
    "GetLoginProfile": SELF,
    "DeleteLoginProfile": SELF,
    "UpdateLoginProfile": user(),
    "UploadSSHPublicKey": user(),
    "GetSSHPublicKey": user(),
    "UpdateSSHPublicKey": user(),
    "DeleteSSHPublicKey": user(),
    "ListSSHPublicKeys": SELF,
    "UploadSigningCertificate": SELF,
    "UpdateSigningCertificate": SELF,
    "DeleteSigningCertificate": SELF,
    "ListSigningCertificates": SELF,
    # MFA devices: enabling, listing and syncing act on the user; the virtual device is an `mfa` resource.
    "EnableMFADevice": user(),
    "ResyncMFADevice": user(),
    "DeactivateMFADevice": SELF,
    "GetMFADevice": SELF,
    "ListMFADevices": SELF,
    "DeleteVirtualMFADevice": MFA,
    "TagMFADevice": arn("SerialNumber", "tags"),
    "UntagMFADevice": arn("SerialNumber", "tag-keys"),
    "ListMFADeviceTags": MFA,
    "ListVirtualMFADevices": ANY,
    # Instance profiles.
    "GetInstanceProfile": PROFILE,
    "DeleteInstanceProfile": PROFILE,
    "RemoveRoleFromInstanceProfile": PROFILE,
    "TagInstanceProfile": Rule("instance-profile", "InstanceProfileName", ("tags",)),
    "UntagInstanceProfile": Rule("instance-profile", "InstanceProfileName", ("tag-keys",)),
    "ListInstanceProfileTags": PROFILE,
    "ListInstanceProfiles": ANY,
    # Identity providers.
    "GetOpenIDConnectProvider": OIDC,
    "DeleteOpenIDConnectProvider": OIDC,
    "AddClientIDToOpenIDConnectProvider": OIDC,
    "RemoveClientIDFromOpenIDConnectProvider": OIDC,
    "UpdateOpenIDConnectProviderThumbprint": OIDC,
    "TagOpenIDConnectProvider": arn("OpenIDConnectProviderArn", "tags"),
    "UntagOpenIDConnectProvider": arn("OpenIDConnectProviderArn", "tag-keys"),
    "ListOpenIDConnectProviderTags": OIDC,
    "ListOpenIDConnectProviders": ANY,
    "GetSAMLProvider": SAML,
    "DeleteSAMLProvider": SAML,
    "UpdateSAMLProvider": SAML,
    "TagSAMLProvider": arn("SAMLProviderArn", "tags"),
    "UntagSAMLProvider": arn("SAMLProviderArn", "tag-keys"),
    "ListSAMLProviderTags": SAML,
    "ListSAMLProviders": ANY,
    # Server certificates.
    "GetServerCertificate": CERTIFICATE,
    "DeleteServerCertificate": CERTIFICATE,
    "TagServerCertificate": Rule("server-certificate", "ServerCertificateName", ("tags",)),
    "UntagServerCertificate": Rule("server-certificate", "ServerCertificateName", ("tag-keys",)),
    "ListServerCertificateTags": CERTIFICATE,
    "ListServerCertificates": ANY,
    # Managed policies and their versions: `PolicyArn` is the resource, AWS managed ones included.
    "GetPolicy": POLICY,
    "DeletePolicy": POLICY,
    "CreatePolicyVersion": POLICY,
    "GetPolicyVersion": POLICY,
    "DeletePolicyVersion": POLICY,
    "ListPolicyVersions": POLICY,
    "SetDefaultPolicyVersion": POLICY,
    "ListEntitiesForPolicy": POLICY,
    "TagPolicy": arn("PolicyArn", "tags"),
    "UntagPolicy": arn("PolicyArn", "tag-keys"),
    "ListPolicyTags": POLICY,
    "ListPolicies": ANY,
    # Simulation, access advisor, reports: on the entity named by an ARN, or `*`.
    "SimulatePrincipalPolicy": arn("PolicySourceArn"),
    "GetContextKeysForPrincipalPolicy": arn("PolicySourceArn"),
    "GenerateServiceLastAccessedDetails": arn("Arn"),
    "ListPoliciesGrantingServiceAccess": arn("Arn"),
    "SimulateCustomPolicy": ANY,
    "GetContextKeysForCustomPolicy": ANY,
    "GetServiceLastAccessedDetails": ANY,
    "GetServiceLastAccessedDetailsWithEntities": ANY,
    "GenerateCredentialReport": ANY,
    "GetCredentialReport": ANY,
    # The account.
    "GetAccountSummary": ANY,
    "GetAccountAuthorizationDetails": ANY,
    "CreateAccountAlias": ANY,
    "DeleteAccountAlias": ANY,
    "ListAccountAliases": ANY,
    "GetAccountPasswordPolicy": ANY,
    "UpdateAccountPasswordPolicy": ANY,
    "DeleteAccountPasswordPolicy": ANY,
    "SetSecurityTokenServicePreferences": ANY,
}


def _resource(rule: Rule, operation: Operation, scope: Scope) -> str:
    if rule.kind == "*":
        return "*"
    param = rule.param or ""
    if rule.kind == "self":
        return user_or_caller(optional(operation, param), scope)
    if rule.kind == "arn":
        arn = required(operation, param)
        if not arn.startswith("arn:"):
            raise RequestRejected("InvalidInput", f"ARN {arn} is not valid.")
        return arn
    kind: EntityKind = rule.kind
    return entity_arn(kind, required(operation, param), scope)


def _context(rule: Rule, operation: Operation, resource: str, scope: Scope) -> iam.Context:
    keys: dict[str, str | tuple[str, ...]] = {}
    if "boundary" in rule.keys:
        keys.update(boundary_keys(resource, scope))
    if "boundary-param" in rule.keys:
        keys["iam:PermissionsBoundary"] = required(operation, "PermissionsBoundary")
    if "policy-arn" in rule.keys:
        keys["iam:PolicyARN"] = required(operation, "PolicyArn")
    removed = tuple(str(key) for key in operation.params.get("TagKeys") or ())
    if "tag-keys" in rule.keys and removed:
        keys["aws:TagKeys"] = removed
    tags = tag_pairs(operation.params.get("Tags")) if "tags" in rule.keys else {}
    return request_tags(tags, keys)


def _table_handler(rule: Rule) -> Handler:
    def authorizations(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
        action = f"iam:{operation.name}"
        resource = _resource(rule, operation, scope)
        context = _context(rule, operation, resource, scope)
        if resource == "*":
            return (anywhere(action, scope, context),)
        return (owned(action, resource, context),)

    return authorizations


HANDLERS: dict[str, Handler] = {name: _table_handler(rule) for name, rule in RULES.items()}
HANDLERS.update(iam_special.HANDLERS)
