"""Helpers shared by the per-service rules: the call's scope, parameters, ARNs and tag keys."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import iam
from sandbox.operations.model import Authorization, Operation, missing_parameter
from sandbox.operations.resolver import Resolver


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a call lands: the called account, its partition and region, its state, the caller."""

    account_id: str
    partition: str
    region: str
    resolve: Resolver
    caller_arn: str | None = None

    def arn(self, service: str, resource: str, *, region: str = "", account: str | None = None) -> str:
        """`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; the account defaults to the called one."""
        owner = self.account_id if account is None else account
        return f"arn:{self.partition}:{service}:{region}:{owner}:{resource}"


Handler = Callable[[Operation, Scope], tuple[Authorization, ...]]
"""Turns one call into its checks."""


def required(operation: Operation, name: str) -> str:
    """A required string parameter; AWS's validation error when it is absent."""
    value = operation.params.get(name)
    if value is None or value == "":
        raise missing_parameter(name)
    return str(value)


def optional(operation: Operation, name: str) -> str | None:
    """A string parameter that may be absent."""
    value = operation.params.get(name)
    return None if value is None else str(value)


def with_path(path: str | None, name: str) -> str:
    """`PATH/NAME` as IAM puts it in an ARN: `/` (or no path) gives `NAME`, `/app/` gives `app/NAME`."""
    folders = (path or "/").strip("/")
    return f"{folders}/{name}" if folders else name


def arn_account(arn: str) -> str | None:
    """The account in an ARN, or None when it has none (S3, AWS managed policies: `aws`)."""
    parts = arn.split(":", 5)
    account = parts[4] if len(parts) == 6 else ""
    return account if account.isdigit() else None


def owned(action: str, resource: str, context: iam.Context | None = None) -> Authorization:
    """A check on a resource whose ARN names its account."""
    return Authorization(action, resource, context or iam.Context(), resource_account=arn_account(resource))


def anywhere(action: str, scope: Scope, context: iam.Context | None = None) -> Authorization:
    """A check on `*`: the action supports no resource type."""
    return Authorization(action, "*", context or iam.Context(), resource_account=scope.account_id)


def tag_pairs(value: Any) -> dict[str, str]:
    """`[{"Key": k, "Value": v}, ...]` (IAM, STS, EC2) or `{k: v}` (Lambda) as a dict."""
    if isinstance(value, Mapping):
        return {str(key): str(tag) for key, tag in value.items()}
    return {str(pair["Key"]): str(pair.get("Value", "")) for pair in value or ()}


KeyValues = Mapping[str, str | tuple[str, ...]]
"""Condition keys and their value (or values, for a multivalued key)."""


def request_tags(tags: Mapping[str, str], keys: KeyValues | None = None) -> iam.Context:
    """`aws:RequestTag/<key>` for each tag and the multivalued `aws:TagKeys`, plus `keys`."""
    return iam.make_context(keys, request_tags=tags or None)


def pass_role(role_arn: str, service: str) -> Authorization:
    """`iam:PassRole` on the role a call hands to `service` (`iam:PassedToService`).

    # AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    """
    return owned("iam:PassRole", role_arn, iam.make_context({"iam:PassedToService": service}))
