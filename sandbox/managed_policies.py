"""The curated AWS managed policies: one catalogue per process, shared by every account, pickled by reference.

moto can load all 1,582 AWS managed policies into every account (180 ms and 5 MiB each, and a 3.9 MiB snapshot), so
the sandbox keeps that off and serves a curated set from `sandbox/data/aws_managed_policies.json` (regenerate it with
`scripts/extract_managed_policies.py`). This module imports neither Django nor, until a function needs it, moto.

How the sandbox uses it (all moto calls inside `moto_store.account_writer` / `account_reader`):
- Before AttachRolePolicy / AttachUserPolicy / AttachGroupPolicy (and their Detach twins, and before setting a
  permissions boundary) call `ensure_available(iam_backend, arn)`. It puts this process's one shared moto object for
  that policy into the account's `managed_policies`, where moto's attach looks it up. Only that policy, only then.
- The shared object pickles as a reference (`moto_policy(arn)`): a snapshot stores the ARN, and unpickling in any
  process returns that process's shared object.
- INVARIANT: nothing may change a shared object, because every account sees it. moto changes a policy in
  DeletePolicy, CreatePolicyVersion, DeletePolicyVersion, SetDefaultPolicyVersion, TagPolicy and UntagPolicy: the
  endpoint must refuse those for `is_aws_managed_arn(arn)` before reaching moto, as AWS does. As a second line of
  defence the shared object's tags are read-only and its versions a tuple, so such a call fails loudly instead of
  leaking into other learners' accounts.
- moto's per-policy `attachment_count` would count attachments across all accounts of the process (and restart at
  zero in each process), so on the shared object it always reads 0. Count from the account's own entities with
  `attachment_count(iam_backend, arn)` and `permissions_boundary_usage_count(iam_backend, arn)`.
- moto only knows the AWS managed policies that some entity of the account uses. So:
  - ListPolicies (Scope AWS or All) lists the catalogue with `managed_policy_list_for_account`, never moto's
    `list_policies` (which returns only the ones in the dict, and with OnlyAttached skips them: their count is 0);
  - GetPolicy, GetPolicyVersion and ListPolicyVersions for an AWS ARN are answered from the catalogue
    (`managed_policy_describe`, `managed_policy_version_get`), which works in every account, as in AWS;
  - GetAccountAuthorizationDetails with Filter=AWSManagedPolicy returns nothing from moto (its own list is empty);
    the sandbox adds the policies in use from `managed_policy_list_for_account(..., only_attached=True)`;
  - DetachRolePolicy & co. and ListEntitiesForPolicy work in moto unchanged: the attachment keeps the reference.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

if TYPE_CHECKING:
    from moto.iam.models import AWSManagedPolicy, IAMBackend

DATA_FILE = Path(__file__).resolve().parent / "data" / "aws_managed_policies.json"

# AWS: AWS managed policies live in the reserved account `aws`, e.g. arn:aws:iam::aws:policy/service-role/X.
_AWS_MANAGED_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::aws:policy/")

PolicyUsage = Literal["PermissionsPolicy", "PermissionsBoundary"]


@dataclass(frozen=True, slots=True)
class ManagedPolicyInfo:
    """One AWS managed policy as the catalogue holds it; `document` is compact JSON text."""

    name: str
    arn: str
    path: str
    description: str
    default_version_id: str
    document: str
    create_date: datetime
    update_date: datetime
    policy_id: str


class PolicyShape(TypedDict):
    """IAM's `Policy` structure (GetPolicy, ListPolicies). Description only in GetPolicy, and only if not empty."""

    PolicyName: str
    PolicyId: str
    Arn: str
    Path: str
    DefaultVersionId: str
    AttachmentCount: int
    PermissionsBoundaryUsageCount: int
    IsAttachable: bool
    CreateDate: datetime
    UpdateDate: datetime
    Description: NotRequired[str]


class PolicyVersionShape(TypedDict):
    """IAM's `PolicyVersion` structure; `Document` is JSON text (the endpoint URL-encodes it, as IAM does)."""

    Document: str
    VersionId: str
    IsDefaultVersion: bool
    CreateDate: datetime


def _policy_id(arn: str) -> str:
    """A stable PolicyId (ANPA + 17 characters, like AWS's) so every process reports the same one."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return "ANPA" + digest[:17]


def _info(*, name: str, path: str, description: str, default_version_id: str, document: Any,
          create_date: str, update_date: str) -> ManagedPolicyInfo:
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    return ManagedPolicyInfo(
        name=name,
        arn=arn,
        path=path,
        description=description,
        default_version_id=default_version_id,
        document=json.dumps(document, separators=(",", ":"), ensure_ascii=False),
        create_date=datetime.fromisoformat(create_date),
        update_date=datetime.fromisoformat(update_date),
        policy_id=_policy_id(arn),
    )


@cache
def _catalogue() -> Mapping[str, ManagedPolicyInfo]:
    """The curated policies by ARN, read once per process."""
    content = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    infos = [
        _info(
            name=record["name"],
            path=record["path"],
            description=record["description"],
            default_version_id=record["default_version_id"],
            document=record["document"],
            create_date=record["create_date"],
            update_date=record["update_date"],
        )
        for record in content["policies"]
    ]
    for info, record in zip(infos, content["policies"], strict=True):
        if info.arn != record["arn"]:
            raise ValueError(f"{DATA_FILE.name}: {record['name']} has arn {record['arn']}, expected {info.arn}")
    return MappingProxyType({info.arn: info for info in sorted(infos, key=lambda info: info.name)})


def managed_policy_list() -> tuple[ManagedPolicyInfo, ...]:
    """Every curated AWS managed policy, sorted by name."""
    return tuple(_catalogue().values())


def managed_policy_get(*, arn: str) -> ManagedPolicyInfo | None:
    """The curated policy with this ARN, or None (not AWS managed, or not in the curated set)."""
    return _catalogue().get(arn)


def is_aws_managed_arn(arn: str) -> bool:
    """Whether the ARN names an AWS managed policy (account `aws`), curated or not."""
    return bool(_AWS_MANAGED_ARN.match(arn))


# ---------------------------------------------------------------------------------------------------------------
# Shared moto objects


_SHARED_LOCK = threading.Lock()
_shared: dict[str, AWSManagedPolicy] = {}


@cache
def _shared_class() -> type[AWSManagedPolicy]:
    """moto's AWSManagedPolicy, made to pickle by reference (built on first use so importing this needs no moto)."""
    from moto.iam.models import AWSManagedPolicy

    class SharedAWSManagedPolicy(AWSManagedPolicy):
        """The one object of this process for an AWS managed policy, referenced by every account that uses it."""

        def __reduce__(self) -> tuple[Any, ...]:
            return (moto_policy, (self.arn,))

        @property
        def attachment_count(self) -> int:
            # Shared by all accounts, so moto's counter would be meaningless: see attachment_count() below.
            return 0

        @attachment_count.setter
        def attachment_count(self, value: int) -> None:
            pass

    return SharedAWSManagedPolicy


def _retired_info(arn: str) -> ManagedPolicyInfo | None:
    """A policy that left the curated set but may still be in old snapshots, from moto's full data (slow, rare)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    name = arn.rsplit("/", 1)[-1]
    data = json.loads(aws_managed_policies_data).get(name)
    if data is None:
        return None
    info = _info(
        name=name,
        path=data.get("Path") or "/",
        description=data.get("Description") or "",
        default_version_id=data["DefaultVersionId"],
        document=data["Document"],
        create_date=data["CreateDate"],
        update_date=data["UpdateDate"],
    )
    return info if info.arn == arn else None


def _build(info: ManagedPolicyInfo) -> AWSManagedPolicy:
    # The arguments moto's own loader passes through AWSManagedPolicy.from_data, with our compact document text.
    # account_id "aws" is the account in the ARN; region "aws" is the partition (AWSManagedPolicy.arn uses it).
    policy = _shared_class()(
        info.name,
        account_id="aws",
        region="aws",
        default_version_id=info.default_version_id,
        description=info.description,
        document=info.document,
        path=info.path,
        create_date=info.create_date,
        update_date=info.update_date,
    )
    policy.id = info.policy_id
    # INVARIANT: shared objects never change (see the module docstring); make moto's mutations raise.
    policy.tags = MappingProxyType({})  # type: ignore[assignment]
    policy.versions = tuple(policy.versions)  # type: ignore[assignment]
    return policy


def moto_policy(arn: str) -> AWSManagedPolicy:
    """This process's shared moto object for an AWS managed policy; unpickling a snapshot calls this.

    Raises LookupError if the ARN is neither curated nor (for old snapshots) in moto's full data.
    """
    policy = _shared.get(arn)
    if policy is not None:
        return policy
    info = managed_policy_get(arn=arn) or (_retired_info(arn) if is_aws_managed_arn(arn) else None)
    if info is None:
        raise LookupError(f"{arn} is not an AWS managed policy known to the sandbox")
    with _SHARED_LOCK:
        policy = _shared.get(arn)
        if policy is None:
            policy = _shared[arn] = _build(info)
    return policy


def ensure_available(iam_backend: IAMBackend, arn: str) -> bool:
    """Make a curated AWS managed policy attachable in this account (call before attach, detach or boundary).

    Returns False, changing nothing, for any other ARN: moto then answers as AWS does for a customer managed
    policy or a policy that does not exist.
    """
    if managed_policy_get(arn=arn) is None:
        return False
    if arn not in iam_backend.managed_policies:
        iam_backend.managed_policies[arn] = moto_policy(arn)
    return True


# ---------------------------------------------------------------------------------------------------------------
# Counts and API shapes, computed from the account's own entities


def _entities(iam_backend: IAMBackend) -> Iterable[Any]:
    yield from iam_backend.roles.values()
    yield from iam_backend.users.values()
    yield from iam_backend.groups.values()


def attachment_count(iam_backend: IAMBackend, arn: str) -> int:
    """AttachmentCount: the account's users, groups and roles that have the policy attached (boundaries excluded)."""
    return sum(1 for entity in _entities(iam_backend) if arn in entity.managed_policies)


def permissions_boundary_usage_count(iam_backend: IAMBackend, arn: str) -> int:
    """PermissionsBoundaryUsageCount: the account's users and roles whose permissions boundary is the policy.

    moto keeps `permissions_boundary_arn` on roles only; a user counts if the sandbox sets the same attribute.
    """
    principals = [*iam_backend.roles.values(), *iam_backend.users.values()]
    return sum(1 for entity in principals if getattr(entity, "permissions_boundary_arn", None) == arn)


def _shape(info: ManagedPolicyInfo, iam_backend: IAMBackend) -> PolicyShape:
    return {
        "PolicyName": info.name,
        "PolicyId": info.policy_id,
        "Arn": info.arn,
        "Path": info.path,
        "DefaultVersionId": info.default_version_id,
        "AttachmentCount": attachment_count(iam_backend, info.arn),
        "PermissionsBoundaryUsageCount": permissions_boundary_usage_count(iam_backend, info.arn),
        "IsAttachable": True,
        "CreateDate": info.create_date,
        "UpdateDate": info.update_date,
    }


def managed_policy_describe(*, arn: str, iam_backend: IAMBackend) -> PolicyShape | None:
    """GetPolicy for a curated AWS managed policy, with this account's counts; None if not curated."""
    info = managed_policy_get(arn=arn)
    if info is None:
        return None
    shape = _shape(info, iam_backend)
    if info.description:
        shape["Description"] = info.description
    return shape


def managed_policy_list_for_account(
    *,
    iam_backend: IAMBackend,
    only_attached: bool = False,
    path_prefix: str = "/",
    policy_usage_filter: PolicyUsage | None = None,
) -> tuple[PolicyShape, ...]:
    """ListPolicies' AWS part (Scope AWS, or All together with moto's Local list), sorted by name, unpaginated.

    AWS: OnlyAttached keeps policies attached to a user, group or role; PolicyUsageFilter PermissionsBoundary keeps
    those used as a permissions boundary, PermissionsPolicy (with OnlyAttached) those attached as permissions policies.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html
    """
    shapes = []
    for info in managed_policy_list():
        if not info.path.startswith(path_prefix):
            continue
        shape = _shape(info, iam_backend)
        if policy_usage_filter == "PermissionsBoundary":
            if shape["PermissionsBoundaryUsageCount"] == 0:
                continue
        elif only_attached and shape["AttachmentCount"] == 0:
            continue
        shapes.append(shape)
    return tuple(shapes)


def managed_policy_version_get(*, arn: str, version_id: str) -> PolicyVersionShape | None:
    """GetPolicyVersion for a curated policy; only the default version is kept, other versions give None."""
    info = managed_policy_get(arn=arn)
    if info is None or version_id != info.default_version_id:
        return None
    return {
        "Document": info.document,
        "VersionId": info.default_version_id,
        "IsDefaultVersion": True,
        "CreateDate": info.update_date,
    }
