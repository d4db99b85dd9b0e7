"""The operation mapper's look-ups, answered from an account's moto state (inside its reader or writer)."""
from __future__ import annotations

from collections.abc import Mapping

from sandbox.moto_store import AccountBackends
from sandbox.operations import OrganizationRef


class MotoResolver:
    """`sandbox.operations.Resolver` over one account's IAM backend."""

    def __init__(self, backends: AccountBackends, account_id: str) -> None:
        self._iam = backends.iam
        self._account_id = account_id

    def role_arn(self, name: str) -> str | None:
        role = next((role for role in self._iam.get_roles() if role.name == name), None)
        return str(role.arn) if role else None

    def user_arn(self, name: str) -> str | None:
        user = self._iam.users.get(name)
        return str(user.arn) if user else None

    def group_arn(self, name: str) -> str | None:
        group = self._iam.groups.get(name)
        return str(group.arn) if group else None

    def instance_profile_arn(self, name: str) -> str | None:
        profile = next((p for p in self._iam.instance_profiles.values() if p.name == name), None)
        return str(profile.arn) if profile else None

    def server_certificate_arn(self, name: str) -> str | None:
        certificate = next((c for c in self._iam.certificates.values() if c.cert_name == name), None)
        return str(certificate.arn) if certificate else None

    def instance_profile_role_arn(self, name: str) -> str | None:
        profile = next((p for p in self._iam.instance_profiles.values() if p.name == name), None)
        return str(profile.roles[0].arn) if profile and profile.roles else None

    def permissions_boundary(self, entity_arn: str) -> str | None:
        for role in self._iam.get_roles():
            if role.arn == entity_arn:
                return role.permissions_boundary_arn
        for user in self._iam.users.values():
            if user.arn == entity_arn:
                return getattr(user, "permissions_boundary_arn", None)
        return None

    def access_key_user_name(self, access_key_id: str) -> str | None:
        for user in self._iam.users.values():
            if any(key.access_key_id == access_key_id for key in user.access_keys):
                return str(user.name)
        return None

    def resource_tags(self, arn: str) -> Mapping[str, str]:
        for role in self._iam.get_roles():
            if role.arn == arn:
                return {tag["Key"]: tag["Value"] for tag in role.tags}
        for user in self._iam.users.values():
            if user.arn == arn:
                return {tag["Key"]: tag["Value"] for tag in self._iam.tagger.list_tags_for_resource(arn)["Tags"]}
        return {}

    def bucket_owner(self, bucket: str) -> str | None:
        return None  # S3 is served by a later slice of the endpoint

    def organization(self) -> OrganizationRef | None:
        from sandbox.organizations import organization_ref

        return organization_ref(self._account_id)

    def organizations_policy_type(self, policy_id: str) -> str | None:
        from sandbox.models import OrganizationPolicy

        ref = self.organization()
        if ref is None:
            return None
        policy = OrganizationPolicy.objects.filter(organization__org_id=ref.id, policy_id=policy_id).first()
        return policy.type if policy else None
