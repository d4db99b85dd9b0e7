"""IAM calls about policies that moto cannot answer right for AWS managed policies (shared, catalogue-wide)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from sandbox import managed_policies
from sandbox.errors import AccessDenied
from sandbox.identity import Identity
from sandbox.moto_store import AccountBackends

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
# Calls that would change an AWS managed policy: AWS refuses them (best guess at the wording: access denied on
# the AWS-owned policy, as for any resource of another account).
AWS_POLICY_WRITES = frozenset(
    {"DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion", "TagPolicy",
     "UntagPolicy"}
)
MAX_ITEMS = 100


def refuse_aws_policy_write(identity: Identity, name: str, params: Mapping[str, Any]) -> None:
    arn = params.get("PolicyArn")
    if name in AWS_POLICY_WRITES and isinstance(arn, str) and arn.startswith(AWS_POLICY_PREFIX):
        raise AccessDenied(
            f"User: {identity.arn} is not authorized to perform: iam:{name} on resource: policy {arn}"
        )


def _local_shapes(backends: AccountBackends, path_prefix: str, only_attached: bool) -> list[dict[str, Any]]:
    shapes = []
    for policy in backends.iam.managed_policies.values():
        if str(policy.arn).startswith(AWS_POLICY_PREFIX) or not str(policy.path).startswith(path_prefix):
            continue
        count = managed_policies.attachment_count(backends.iam, policy.arn)
        if only_attached and count == 0:
            continue
        shapes.append({
            "PolicyName": policy.name, "PolicyId": policy.id, "Arn": policy.arn, "Path": policy.path,
            "DefaultVersionId": policy.default_version_id, "AttachmentCount": count,
            "PermissionsBoundaryUsageCount": managed_policies.permissions_boundary_usage_count(
                backends.iam, policy.arn
            ),
            "IsAttachable": True, "CreateDate": policy.create_date, "UpdateDate": policy.update_date,
        })
    return shapes


def list_policies_xml(backends: AccountBackends, params: Mapping[str, Any]) -> str:
    """ListPolicies' result element for the account: its own policies and/or the AWS managed catalogue."""
    scope = params.get("Scope", "All")
    only_attached = bool(params.get("OnlyAttached", False))
    prefix = params.get("PathPrefix", "/")
    shapes: list[Mapping[str, Any]] = []
    if scope in ("All", "Local"):
        shapes.extend(_local_shapes(backends, prefix, only_attached))
    if scope in ("All", "AWS"):
        shapes.extend(managed_policies.managed_policy_list_for_account(
            iam_backend=backends.iam, only_attached=only_attached, path_prefix=prefix,
            policy_usage_filter=params.get("PolicyUsageFilter"),
        ))
    shapes.sort(key=lambda shape: str(shape["PolicyName"]).lower())
    start = int(params["Marker"]) if str(params.get("Marker", "")).isdigit() else 0
    size = min(int(params.get("MaxItems") or MAX_ITEMS), 1000)
    page = shapes[start : start + size]
    truncated = start + size < len(shapes)
    marker = f"<Marker>{start + size}</Marker>" if truncated else ""
    members = "".join(f"<member>{_fields(shape)}</member>" for shape in page)
    return f"<IsTruncated>{str(truncated).lower()}</IsTruncated>{marker}<Policies>{members}</Policies>"


def _fields(shape: Mapping[str, Any]) -> str:
    return "".join(f"<{name}>{_text(value)}</{name}>" for name, value in _ordered(shape))


def _ordered(shape: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    for name in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount",
                 "PermissionsBoundaryUsageCount", "IsAttachable", "CreateDate", "UpdateDate"):
        if name in shape:
            yield name, shape[name]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return escape(str(value))
