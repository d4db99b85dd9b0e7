"""The shapes of the mapping: one parsed API call in, the authorization checks IAM makes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import iam


@dataclass(frozen=True, slots=True)
class Operation:
    """One AWS API call after protocol parsing.

    `service` is the signing name (`iam`, `sts`, `s3`, `organizations`, `cloudtrail`, `ec2`,
    `lambda`), `name` the operation name of botocore's service model (`CreateRole`,
    `ListObjectsV2`), `params` the call's parameters as botocore parses them into the input
    shape (for S3 `Bucket` and `Key` come from the path; `Tags` stay a list of `Key`/`Value`
    pairs for IAM and STS and a map for Lambda). `params` is stored as a read-only copy.
    """

    service: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    region: str = "us-east-1"

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


@dataclass(frozen=True, slots=True)
class Authorization:
    """One check IAM makes for a call: may the caller perform `action` on `resource`?

    `context` holds the keys this check adds to the request-wide ones (request tags,
    `iam:PassedToService`, `s3:prefix`, the resource's tags, `aws:RequestedRegion`...); they win
    over request-wide keys of the same name. `resource_account` is the account that owns the
    resource when it is known (an S3 bucket ARN carries none). `against_trust_policy` marks the
    STS checks (`sts:AssumeRole*`, `sts:TagSession`, `sts:SetSourceIdentity`) whose
    resource-based policy is the role's trust policy; `sandbox/sts.py` evaluates those.
    """

    action: str
    resource: str
    context: iam.Context = field(default_factory=iam.Context)
    resource_account: str | None = None
    against_trust_policy: bool = False

    def as_request(
        self, *, principal: iam.Principal | None, context: Mapping[str, tuple[str, ...]] | None = None
    ) -> iam.Request:
        """The engine's request for this check; `context` holds the request-wide keys."""
        base = context if isinstance(context, iam.Context) else iam.Context(tuple((context or {}).items()))
        return iam.Request(
            action=self.action,
            resource=self.resource,
            principal=principal,
            context=base.merged_with(self.context),
            resource_account=self.resource_account,
        )


@dataclass(frozen=True, slots=True)
class OrganizationRef:
    """The organization an account belongs to: `o-...` id and the management account."""

    id: str
    management_account_id: str


class OperationError(Exception):
    """A call the mapping cannot turn into checks; `code` and `message` follow AWS's error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class UnsupportedOperation(OperationError):
    """The sandbox does not map this operation: it must never pass unchecked."""

    def __init__(self, service: str, name: str) -> None:
        super().__init__("UnsupportedOperation", f"the sandbox does not support `{service}:{name}`")
        self.service = service
        self.name = name


class RequestRejected(OperationError):
    """AWS would reject the call before any check (a missing parameter, no organization...)."""


def missing_parameter(name: str) -> RequestRejected:
    """AWS's validation error for a required parameter that is absent."""
    member = name[:1].lower() + name[1:]
    message = (
        f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
    )
    return RequestRejected("ValidationError", message)
