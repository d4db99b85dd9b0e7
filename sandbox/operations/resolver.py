"""What the mapping needs to know about an account's state, asked through a small protocol."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sandbox.operations.model import OrganizationRef


class Resolver(Protocol):
    """Look-ups into the called account's state; each answers None when the thing does not exist.

    IAM checks the real ARN of an entity, path included, while most IAM calls only name it:
    `role_arn("deployer")` gives `arn:aws:iam::ACCT:role/app/deployer`. When a look-up answers
    None the mapping falls back to the path-less ARN (the entity does not exist yet, and the
    call will fail after the check).
    """

    def role_arn(self, name: str) -> str | None:
        """The ARN of the role `name` in the called account."""
        ...

    def user_arn(self, name: str) -> str | None:
        """The ARN of the IAM user `name`."""
        ...

    def group_arn(self, name: str) -> str | None:
        """The ARN of the group `name`."""
        ...

    def instance_profile_arn(self, name: str) -> str | None:
        """The ARN of the instance profile `name`."""
        ...

    def server_certificate_arn(self, name: str) -> str | None:
        """The ARN of the server certificate `name`."""
        ...

    def instance_profile_role_arn(self, name: str) -> str | None:
        """The ARN of the role in the instance profile `name` (None: no such profile, or no role)."""
        ...

    def permissions_boundary(self, entity_arn: str) -> str | None:
        """The ARN of the policy set as permissions boundary on the role or user `entity_arn`."""
        ...

    def access_key_user_name(self, access_key_id: str) -> str | None:
        """The name of the IAM user who owns the access key."""
        ...

    def resource_tags(self, arn: str) -> Mapping[str, str]:
        """The tags on the resource `arn` (empty when it has none or does not exist)."""
        ...

    def bucket_owner(self, bucket: str) -> str | None:
        """The account that owns the S3 bucket."""
        ...

    def organization(self) -> OrganizationRef | None:
        """The organization the called account belongs to."""
        ...

    def organizations_policy_type(self, policy_id: str) -> str | None:
        """The type (`SERVICE_CONTROL_POLICY`, `TAG_POLICY`...) of the organization policy `policy_id`."""
        ...


class NullResolver:
    """A resolver for an empty account: nothing exists, so every ARN is path-less."""

    def role_arn(self, name: str) -> str | None:
        return None

    def user_arn(self, name: str) -> str | None:
        return None

    def group_arn(self, name: str) -> str | None:
        return None

    def instance_profile_arn(self, name: str) -> str | None:
        return None

    def server_certificate_arn(self, name: str) -> str | None:
        return None

    def instance_profile_role_arn(self, name: str) -> str | None:
        return None

    def permissions_boundary(self, entity_arn: str) -> str | None:
        return None

    def access_key_user_name(self, access_key_id: str) -> str | None:
        return None

    def resource_tags(self, arn: str) -> Mapping[str, str]:
        return {}

    def bucket_owner(self, bucket: str) -> str | None:
        return None

    def organization(self) -> OrganizationRef | None:
        return None

    def organizations_policy_type(self, policy_id: str) -> str | None:
        return None
