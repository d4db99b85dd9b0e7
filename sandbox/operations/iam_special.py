"""IAM calls beyond one table row: creating and renaming entities, passing roles, look-ups."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.operations.iam_entities import EntityKind, calling_user_arn, entity_arn, path_of
from sandbox.operations.model import Authorization, Operation, RequestRejected
from sandbox.operations.scope import Handler, Scope, optional, owned, request_tags, required, tag_pairs, with_path


@dataclass(frozen=True, slots=True)
class Create:
    """A call that creates the resource `TYPE/PATH/NAME` and may tag it on creation."""

    resource_type: str
    name_param: str
    path_param: str | None
    tag_action: str | None
    boundary: bool = False


CREATES = {
    "CreateRole": Create("role", "RoleName", "Path", "iam:TagRole", boundary=True),
    "CreateUser": Create("user", "UserName", "Path", "iam:TagUser", boundary=True),
    "CreateGroup": Create("group", "GroupName", "Path", None),
    "CreatePolicy": Create("policy", "PolicyName", "Path", "iam:TagPolicy"),
    "CreateInstanceProfile": Create("instance-profile", "InstanceProfileName", "Path", "iam:TagInstanceProfile"),
    "CreateSAMLProvider": Create("saml-provider", "Name", None, "iam:TagSAMLProvider"),
    "CreateVirtualMFADevice": Create("mfa", "VirtualMFADeviceName", "Path", "iam:TagMFADevice"),
    "UploadServerCertificate": Create(
        "server-certificate", "ServerCertificateName", "Path", "iam:TagServerCertificate"
    ),
}


def created(
    operation: Operation, resource: str, tag_action: str | None, *, boundary: str | None
) -> tuple[Authorization, ...]:
    """The create check (request tags, requested boundary) and, with tags, the tag check.

    # AWS: creating with tags also needs the matching `iam:Tag*` permission; AWS's example
    "IAM: Create new users only with specific tags" allows `iam:CreateUser` and `iam:TagUser`
    (reference_policies_examples_iam-new-user-tag.html).
    """
    tags = tag_pairs(operation.params.get("Tags"))
    keys = {"iam:PermissionsBoundary": boundary} if boundary else {}
    checks = [owned(f"iam:{operation.name}", resource, request_tags(tags, keys))]
    if tags and tag_action:
        checks.append(owned(tag_action, resource, request_tags(tags)))
    return tuple(checks)


def _create(spec: Create) -> Handler:
    def authorizations(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
        name = required(operation, spec.name_param)
        path = optional(operation, spec.path_param) if spec.path_param else None
        resource = scope.arn("iam", f"{spec.resource_type}/{with_path(path, name)}")
        boundary = optional(operation, "PermissionsBoundary") if spec.boundary else None
        return created(operation, resource, spec.tag_action, boundary=boundary)

    return authorizations


def create_oidc_provider(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """The provider's ARN is its URL without `https://`: `oidc-provider/token.actions.githubusercontent.com`.

    A trailing `/` stays (AWS keeps it: `https://host/` and `https://host` are two providers)."""
    url = required(operation, "Url")
    host_and_path = url.split("://", 1)[-1]
    resource = scope.arn("iam", f"oidc-provider/{host_and_path}")
    return created(operation, resource, "iam:TagOpenIDConnectProvider", boundary=None)


@dataclass(frozen=True, slots=True)
class Rename:
    """A call that may give an entity a new name or path."""

    kind: EntityKind
    name_param: str
    new_name_param: str


RENAMES = {
    "UpdateUser": Rename("user", "UserName", "NewUserName"),
    "UpdateGroup": Rename("group", "GroupName", "NewGroupName"),
    "UpdateServerCertificate": Rename("server-certificate", "ServerCertificateName", "NewServerCertificateName"),
}


def _rename(spec: Rename) -> Handler:
    """Checked on the entity and, when the name or path changes, on its new ARN too.

    # AWS: "the requester must have appropriate permissions on both the source object and the
    target object" (API_UpdateUser.html, API_UpdateGroup.html, API_UpdateServerCertificate.html).
    """

    def authorizations(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
        action = f"iam:{operation.name}"
        name = required(operation, spec.name_param)
        current = entity_arn(spec.kind, name, scope)
        new_name = optional(operation, spec.new_name_param) or name
        new_path = optional(operation, "NewPath") or path_of(current)
        renamed = scope.arn("iam", f"{spec.kind}/{with_path(new_path, new_name)}")
        if renamed == current:
            return (owned(action, current),)
        return (owned(action, current), owned(action, renamed))

    return authorizations


def add_role_to_instance_profile(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """The profile, and `iam:PassRole` on the role (the reference lists it as a dependent action)."""
    profile = entity_arn("instance-profile", required(operation, "InstanceProfileName"), scope)
    role = entity_arn("role", required(operation, "RoleName"), scope)
    return (owned("iam:AddRoleToInstanceProfile", profile), owned("iam:PassRole", role))


SERVICE_ROLE_NAMES = {
    "autoscaling": "AutoScaling",
    "application-autoscaling": "ApplicationAutoScaling",
    "elasticbeanstalk": "ElasticBeanstalk",
}
"""Service parts of service-linked role names that are not the service's own spelling."""


def service_linked_role_name(service_name: str, custom_suffix: str | None) -> str:
    """The name the sandbox gives a service-linked role: `AWSServiceRoleFor<Service>[_<suffix>]`.

    AWS names each service's role itself; the sandbox's roles are moto's, so this is moto's
    rule (`moto/iam/models.py`, `create_service_linked_role`), checked by a test.
    """
    parts = service_name.split(".")
    if len(parts) < 3:
        raise RequestRejected("InvalidInput", f"`{service_name}` is not a service principal")
    service, prefix = parts[-3], parts[0]
    if service != prefix:
        capitalized = "".join(word.capitalize() for word in prefix.split("-"))
        service = SERVICE_ROLE_NAMES.get(service, service) + "_" + capitalized
    else:
        service = SERVICE_ROLE_NAMES.get(service, service)
    name = f"AWSServiceRoleFor{service}"
    return f"{name}_{custom_suffix}" if custom_suffix else name


def create_service_linked_role(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """The role `aws-service-role/<service>/<name>`, with `iam:AWSServiceName`."""
    service = required(operation, "AWSServiceName")
    name = service_linked_role_name(service, optional(operation, "CustomSuffix"))
    resource = scope.arn("iam", f"role/aws-service-role/{service}/{name}")
    return (owned("iam:CreateServiceLinkedRole", resource, request_tags({}, {"iam:AWSServiceName": service})),)


def service_linked_role_deletion_status(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """The role named inside the task id `task/aws-service-role/<service>/<role>/<uuid>`."""
    task = required(operation, "DeletionTaskId")
    parts = task.split("/")
    if len(parts) != 5 or parts[:2] != ["task", "aws-service-role"]:
        raise RequestRejected("InvalidInput", f"`{task}` is not a service-linked role deletion task")
    resource = scope.arn("iam", "role/" + "/".join(parts[1:4]))
    return (owned("iam:GetServiceLinkedRoleDeletionStatus", resource),)


def access_key_last_used(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """Checked on the user who owns the key."""
    key = required(operation, "AccessKeyId")
    owner = scope.resolve.access_key_user_name(key)
    if owner is None:
        raise RequestRejected("NoSuchEntity", f"The Access Key with id {key} cannot be found")
    return (owned("iam:GetAccessKeyLastUsed", entity_arn("user", owner, scope)),)


def change_password(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """Always the calling user's own password."""
    return (owned("iam:ChangePassword", calling_user_arn(scope)),)


HANDLERS: dict[str, Handler] = {name: _create(spec) for name, spec in CREATES.items()}
HANDLERS.update({name: _rename(spec) for name, spec in RENAMES.items()})
HANDLERS.update(
    {
        "CreateOpenIDConnectProvider": create_oidc_provider,
        "AddRoleToInstanceProfile": add_role_to_instance_profile,
        "CreateServiceLinkedRole": create_service_linked_role,
        "GetServiceLinkedRoleDeletionStatus": service_linked_role_deletion_status,
        "GetAccessKeyLastUsed": access_key_last_used,
        "ChangePassword": change_password,
    }
)
