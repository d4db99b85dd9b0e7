"""The entry point: which services and operations are mapped, and the checks of one call.

Keys added here, the same way for every service: `aws:RequestedRegion` (IAM and Organizations
are global services served from the partition's home region, so an IAM call always carries
`us-east-1` in the `aws` partition) and the resource's tags as `aws:ResourceTag/<key>` (plus
`iam:ResourceTag/<key>` for roles and users), except for S3. The keys of the caller and of the
connection (`aws:PrincipalArn`, `aws:CurrentTime`, `aws:SourceIp`, `aws:SecureTransport`,
`aws:MultiFactorAuthPresent`...) are the same for every check of a call: the caller adds them
(`Authorization.as_request`).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion
"""

from __future__ import annotations

from collections.abc import Mapping

import iam
from sandbox.operations import (
    cloudtrail_rules,
    ec2_rules,
    iam_rules,
    lambda_rules,
    organizations_rules,
    s3_rules,
    sts_rules,
)
from sandbox.operations.model import Authorization, Operation, UnsupportedOperation
from sandbox.operations.resolver import Resolver
from sandbox.operations.scope import Handler, Scope

HANDLERS: Mapping[str, Mapping[str, Handler]] = {
    "iam": iam_rules.HANDLERS,
    "sts": sts_rules.HANDLERS,
    "s3": s3_rules.HANDLERS,
    "organizations": organizations_rules.HANDLERS,
    "cloudtrail": cloudtrail_rules.HANDLERS,
    "ec2": ec2_rules.HANDLERS,
    "lambda": lambda_rules.HANDLERS,
}
"""Signing name -> operation name -> the function that lists the call's checks."""

SERVICES = tuple(HANDLERS)
"""The services the sandbox serves, by signing name."""

GLOBAL_SERVICES = frozenset({"iam", "organizations"})

HOME_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
"""Where each partition serves its global services."""


def supported_operations(service: str) -> frozenset[str]:
    """The operations of `service` (signing name) that the sandbox maps; empty for other services."""
    return frozenset(HANDLERS.get(service, {}))


def authorization_requests(
    operation: Operation,
    *,
    account_id: str,
    resolve: Resolver,
    caller_arn: str | None = None,
    partition: str = "aws",
) -> tuple[Authorization, ...]:
    """The checks IAM makes before performing `operation` in account `account_id`.

    All of them must allow the call. An empty tuple means no policy can deny the call
    (`sts:GetCallerIdentity`, `sts:GetSessionToken`). `caller_arn` is the calling identity's
    ARN, needed by IAM calls that default to the calling user. Raises `UnsupportedOperation`
    for a call the sandbox does not map (it must never pass unchecked) and `RequestRejected`
    when AWS would refuse the call before any check.
    """
    handler = HANDLERS.get(operation.service, {}).get(operation.name)
    if handler is None:
        raise UnsupportedOperation(operation.service, operation.name)
    region = HOME_REGIONS.get(partition, "us-east-1") if operation.service in GLOBAL_SERVICES else operation.region
    scope = Scope(account_id=account_id, partition=partition, region=region, resolve=resolve, caller_arn=caller_arn)
    return tuple(_with_common_keys(check, operation.service, scope) for check in handler(operation, scope))


def _with_common_keys(check: Authorization, service: str, scope: Scope) -> Authorization:
    keys: dict[str, str] = {"aws:RequestedRegion": scope.region}
    # Only a named resource has tags: not `*`, nor `.../instance/*` for instances yet to be launched.
    named = check.resource != "*" and not check.resource.endswith("/*")
    if named and service != "s3" and not check.resource.startswith(f"arn:{scope.partition}:s3:"):
        tags = scope.resolve.resource_tags(check.resource)
        keys.update({f"aws:ResourceTag/{key}": value for key, value in tags.items()})
        if _is_role_or_user(check.resource):
            keys.update({f"iam:ResourceTag/{key}": value for key, value in tags.items()})
    common = iam.make_context(keys)
    # AWS managed policies (`arn:aws:iam::aws:policy/...`) are usable by every account: they are
    # checked as resources of the called account, never as another account's.
    aws_managed = check.resource.split(":", 5)[4:5] == ["aws"]
    return Authorization(
        check.action,
        check.resource,
        common.merged_with(check.context),
        resource_account=check.resource_account or (scope.account_id if aws_managed else None),
        against_trust_policy=check.against_trust_policy,
    )


def _is_role_or_user(arn: str) -> bool:
    resource = arn.split(":", 5)[-1]
    return ":iam::" in arn and resource.startswith(("role/", "user/"))
