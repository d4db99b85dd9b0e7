"""Reads on the training IdP: the directory, what each person is entitled to, and the keys STS verifies with."""
from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.federation.issuers import profile_for_url
from sandbox.federation.keys import certificate
from sandbox.models import Account, DirectoryUser, IdentityProvider, IdpSigningKey, RoleMapping, Sandbox


@dataclass(frozen=True, slots=True)
class RolePair:
    """One value of the SAML Role attribute: a role and the IAM SAML provider to reach it through."""

    role_arn: str
    provider_arn: str
    group: str

    @property
    def attribute_value(self) -> str:
        return f"{self.role_arn},{self.provider_arn}"

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def account_id(self) -> str:
        return self.role_arn.split(":")[4]


def identity_provider_get(*, sandbox: Sandbox) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(sandbox=sandbox).first()


def directory_user_list(*, sandbox: Sandbox) -> list[DirectoryUser]:
    return list(DirectoryUser.objects.filter(provider__sandbox=sandbox))


def directory_user_get(*, sandbox: Sandbox, name: str) -> DirectoryUser | None:
    return DirectoryUser.objects.filter(provider__sandbox=sandbox, name=name).first()


def directory_user_roles(*, user: DirectoryUser) -> list[RolePair]:
    """The roles the user's groups map to, in group order, each role once."""
    mappings = RoleMapping.objects.filter(provider_id=user.provider_id, group__in=user.groups)
    by_group: dict[str, list[RoleMapping]] = {}
    for mapping in mappings:
        by_group.setdefault(mapping.group, []).append(mapping)
    pairs: dict[tuple[str, str], RolePair] = {}
    for group in user.groups:
        for mapping in by_group.get(group, []):
            pairs.setdefault(
                (mapping.role_arn, mapping.provider_arn), RolePair(mapping.role_arn, mapping.provider_arn, group)
            )
    return list(pairs.values())


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A row of the portal's directory: the person and the roles their groups map to."""

    user: DirectoryUser
    roles: tuple[RolePair, ...]


def portal_directory(*, sandbox: Sandbox) -> list[DirectoryEntry]:
    return [
        DirectoryEntry(user=user, roles=tuple(directory_user_roles(user=user)))
        for user in directory_user_list(sandbox=sandbox)
    ]


def identity_provider_by_key(*, key: str) -> IdentityProvider | None:
    return IdentityProvider.objects.select_related("sandbox").filter(key=key).first()


def role_mapping_list(*, sandbox: Sandbox) -> list[RoleMapping]:
    return list(RoleMapping.objects.filter(provider__sandbox=sandbox))


def oidc_verification_keys(*, account_id: str, issuer_url: str) -> dict[str, rsa.RSAPublicKey] | None:
    """The public keys (by `kid`) the training IdP of `account_id`'s sandbox signs `issuer_url`'s tokens with.

    None when that IdP does not play this issuer: STS would have to fetch the keys from the internet, which the
    sandbox cannot. The keys are read from the database, never over HTTP.
    """
    provider = IdentityProvider.objects.filter(sandbox__accounts__account_id=account_id).first()
    # GitHub's, Google's and Cognito's keys are always there to fetch, even before this IdP signed anything.
    profile = profile_for_url(issuer_url, provider.key if provider is not None else "")
    if profile is None:
        return None
    keys: dict[str, rsa.RSAPublicKey] = {}
    for row in IdpSigningKey.objects.filter(provider=provider, issuer=profile.issuer.value):
        public = certificate(row.certificate_pem).public_key()
        if isinstance(public, rsa.RSAPublicKey):
            keys[row.kid] = public
    return keys


def account_sandbox_get(*, account_id: str) -> Sandbox | None:
    account = Account.objects.select_related("sandbox").filter(account_id=account_id).first()
    return account.sandbox if account is not None else None
