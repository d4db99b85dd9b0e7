"""EC2 (2016-11-15): launching with an instance profile, associating one, and Describe* calls.

RunInstances is checked on every resource it uses or creates, as AWS does: the new instance,
its volumes and network interfaces (`.../instance/*`, `.../volume/*`, `.../network-interface/*`),
the image, and the subnet, security groups and key pair the request names. Subnets and
security groups the request leaves to their defaults are not checked (that needs the VPC's
state). Tags in `TagSpecifications` need `ec2:CreateTags` with `ec2:CreateAction`, and an
instance profile with a role needs `iam:PassRole` to `ec2.amazonaws.com`.
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import iam
from sandbox.operations.model import Authorization, Operation
from sandbox.operations.scope import (
    Handler,
    Scope,
    anywhere,
    optional,
    owned,
    pass_role,
    request_tags,
    required,
    tag_pairs,
)

EC2 = "ec2.amazonaws.com"

CREATED_BY_RUN_INSTANCES = ("instance", "volume", "network-interface")

DESCRIBE = (
    "DescribeInstances",
    "DescribeInstanceStatus",
    "DescribeIamInstanceProfileAssociations",
    "DescribeImages",
    "DescribeInstanceTypes",
    "DescribeVpcs",
    "DescribeSubnets",
    "DescribeSecurityGroups",
    "DescribeKeyPairs",
    "DescribeVolumes",
    "DescribeNetworkInterfaces",
    "DescribeTags",
    "DescribeRegions",
    "DescribeAvailabilityZones",
    "DescribeAccountAttributes",
)
"""Describe calls, which support no resource type: checked on `*`."""


def _arn(scope: Scope, resource: str) -> str:
    return scope.arn("ec2", resource, region=scope.region)


def _named_resources(operation: Operation, scope: Scope) -> Iterator[Authorization]:
    """The image, subnets, security groups and key pair named by the request."""
    params = operation.params
    image = optional(operation, "ImageId")
    if image:
        # AWS: an image ARN has no account (arn:aws:ec2:REGION::image/ami-...).
        yield Authorization("ec2:RunInstances", f"arn:{scope.partition}:ec2:{scope.region}::image/{image}")
    interfaces: list[Mapping[str, Any]] = list(params.get("NetworkInterfaces") or ())
    subnets = [params.get("SubnetId"), *(interface.get("SubnetId") for interface in interfaces)]
    groups = [*(params.get("SecurityGroupIds") or ()), *(g for i in interfaces for g in i.get("Groups") or ())]
    key_pair = optional(operation, "KeyName")
    named = [f"subnet/{s}" for s in dict.fromkeys(subnets) if s] + [
        f"security-group/{g}" for g in dict.fromkeys(groups)
    ]
    named += [f"key-pair/{key_pair}"] if key_pair else []
    for resource in named:
        yield owned("ec2:RunInstances", _arn(scope, resource))


def _instance_profile_role(operation: Operation, scope: Scope) -> str | None:
    """The role in the instance profile given by `Name` or `Arn` (`instance-profile/PATH/NAME`)."""
    profile = operation.params.get("IamInstanceProfile") or {}
    name = profile.get("Name") or str(profile.get("Arn") or "").rsplit("/", 1)[-1]
    return scope.resolve.instance_profile_role_arn(name) if name else None


def run_instances(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    tags = {
        spec["ResourceType"]: tag_pairs(spec.get("Tags")) for spec in operation.params.get("TagSpecifications") or ()
    }
    checks = [
        owned("ec2:RunInstances", _arn(scope, f"{kind}/*"), request_tags(tags.get(kind, {})))
        for kind in CREATED_BY_RUN_INSTANCES
    ]
    checks += _named_resources(operation, scope)
    # AWS: tagging on create needs ec2:CreateTags, which policies scope with ec2:CreateAction.
    for kind, pairs in tags.items():
        if pairs:
            context = request_tags(pairs, {"ec2:CreateAction": "RunInstances"})
            checks.append(owned("ec2:CreateTags", _arn(scope, f"{kind}/*"), context))
    role = _instance_profile_role(operation, scope)
    if role:
        checks.append(pass_role(role, EC2))
    return tuple(checks)


def associate_iam_instance_profile(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    instance = _arn(scope, f"instance/{required(operation, 'InstanceId')}")
    checks = [owned("ec2:AssociateIamInstanceProfile", instance, iam.Context())]
    role = _instance_profile_role(operation, scope)
    if role:
        checks.append(pass_role(role, EC2))
    return tuple(checks)


def change_state(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """Terminate/Stop/StartInstances: the action on every instance named (resource-level, with its tags)."""
    ids = operation.params.get("InstanceIds") or []
    return tuple(owned(f"ec2:{operation.name}", _arn(scope, f"instance/{instance_id}"), iam.Context())
                 for instance_id in ids)


def describe(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    return (anywhere(f"ec2:{operation.name}", scope),)


HANDLERS: dict[str, Handler] = {name: describe for name in DESCRIBE}
HANDLERS.update({"RunInstances": run_instances, "AssociateIamInstanceProfile": associate_iam_instance_profile})
HANDLERS.update({name: change_state for name in ("TerminateInstances", "StopInstances", "StartInstances")})
