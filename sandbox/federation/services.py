"""Writes on the training IdP: the provider itself (created on first use), its signing keys, directory users and
group-to-role mappings."""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from sandbox.errors import ApplicationError
from sandbox.federation.issuers import DEFAULT_SAML_ENTITY_ID, Issuer
from sandbox.federation.keys import key_material_create
from sandbox.models import DirectoryUser, IdentityProvider, IdpSigningKey, RoleMapping, Sandbox

USER_NAME_INVALID = "a directory user name has 1 to 64 letters, digits and `._@+=,-`"
USER_EXISTS = "the directory already has a user `{name}`"
ROLE_ARN_INVALID = "`{value}` is not a role ARN (`arn:aws:iam::ACCOUNT:role/NAME`)"
PROVIDER_ARN_INVALID = "`{value}` is not a SAML provider ARN (`arn:aws:iam::ACCOUNT:saml-provider/NAME`)"
MAPPING_EXISTS = "group `{group}` already maps to `{role}`"
GROUP_INVALID = "a group name has 1 to 128 characters"
SESSION_DURATION_INVALID = "the SessionDuration attribute is 900 to 43200 seconds"

_USER_NAME = re.compile(r"[\w.@+=,-]{1,64}", re.ASCII)
_ROLE_ARN = re.compile(r"arn:aws:iam::\d{12}:role/(?:[\x21-\x7e]*/)?[\w+=,.@-]+", re.ASCII)
_SAML_PROVIDER_ARN = re.compile(r"arn:aws:iam::\d{12}:saml-provider/[\w._-]+", re.ASCII)


class FederationError(ApplicationError):
    """A directory entry or mapping the training IdP refuses."""


def identity_provider_get_or_create(*, sandbox: Sandbox) -> IdentityProvider:
    """The sandbox's training IdP, created (without keys: those are made on first use) when it has none."""
    existing = IdentityProvider.objects.filter(sandbox=sandbox).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return IdentityProvider.objects.create(
                sandbox=sandbox, key=secrets.token_hex(8), saml_entity_id=DEFAULT_SAML_ENTITY_ID
            )
    except IntegrityError:  # another request created it first
        return IdentityProvider.objects.get(sandbox=sandbox)


def signing_key_get_or_create(*, provider: IdentityProvider, issuer: Issuer) -> IdpSigningKey:
    """The key `issuer` signs with in this IdP, generated the first time it is needed (RSA generation is slow)."""
    existing = IdpSigningKey.objects.filter(provider=provider, issuer=issuer).first()
    if existing is not None:
        return existing
    material = key_material_create(common_name=f"{issuer.value}.idp.training.example")
    try:
        with transaction.atomic():
            return IdpSigningKey.objects.create(
                provider=provider, issuer=issuer.value, kid=material.kid, private_key_pem=material.private_key_pem,
                certificate_pem=material.certificate_pem,
            )
    except IntegrityError:
        return IdpSigningKey.objects.get(provider=provider, issuer=issuer.value)


def directory_user_create(
    *, sandbox: Sandbox, name: str, display_name: str = "", email: str = "", groups: Sequence[str] = (),
    attributes: Mapping[str, str | list[str]] | None = None, session_tags: Mapping[str, str] | None = None,
    transitive_tag_keys: Sequence[str] = (),
) -> DirectoryUser:
    """Add a person to the directory. Tags are checked by STS when they are used, as AWS does."""
    if not _USER_NAME.fullmatch(name):
        raise FederationError(USER_NAME_INVALID)
    for group in groups:
        _check_group(group)
    provider = identity_provider_get_or_create(sandbox=sandbox)
    if provider.directory_users.filter(name=name).exists():
        raise FederationError(USER_EXISTS.format(name=name))
    return DirectoryUser.objects.create(
        provider=provider, name=name, display_name=display_name, email=email, groups=list(dict.fromkeys(groups)),
        attributes=dict(attributes or {}), session_tags=dict(session_tags or {}),
        transitive_tag_keys=list(transitive_tag_keys),
    )


def role_mapping_create(*, sandbox: Sandbox, group: str, role_arn: str, provider_arn: str) -> RoleMapping:
    """Members of `group` are entitled to `role_arn` through the IAM SAML provider `provider_arn`."""
    _check_group(group)
    if not _ROLE_ARN.fullmatch(role_arn):
        raise FederationError(ROLE_ARN_INVALID.format(value=role_arn))
    if not _SAML_PROVIDER_ARN.fullmatch(provider_arn):
        raise FederationError(PROVIDER_ARN_INVALID.format(value=provider_arn))
    provider = identity_provider_get_or_create(sandbox=sandbox)
    if provider.role_mappings.filter(group=group, role_arn=role_arn).exists():
        raise FederationError(MAPPING_EXISTS.format(group=group, role=role_arn))
    return RoleMapping.objects.create(provider=provider, group=group, role_arn=role_arn, provider_arn=provider_arn)


def directory_apply(
    *, sandbox: Sandbox, users: Sequence[Mapping[str, Any]] = (), mappings: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Make the directory hold these users and mappings (a lab's setup): a user already there is updated to the
    given fields, a mapping already there is kept. Others are left alone. Same fields as the create services."""
    with transaction.atomic():
        for fields in users:
            name = str(fields["name"])
            existing = DirectoryUser.objects.filter(provider__sandbox=sandbox, name=name).first()
            if existing is not None:
                existing.delete()
            directory_user_create(sandbox=sandbox, **fields)
        for fields in mappings:
            provider = identity_provider_get_or_create(sandbox=sandbox)
            if not provider.role_mappings.filter(group=fields["group"], role_arn=fields["role_arn"]).exists():
                role_mapping_create(sandbox=sandbox, **fields)


def identity_provider_session_duration_set(*, sandbox: Sandbox, seconds: int | None) -> IdentityProvider:
    """The SessionDuration attribute the SAML IdP sends (None: not sent, so console sessions last an hour)."""
    if seconds is not None and not 900 <= seconds <= 43200:
        raise FederationError(SESSION_DURATION_INVALID)
    provider = identity_provider_get_or_create(sandbox=sandbox)
    provider.session_duration = seconds
    provider.save(update_fields=["session_duration"])
    return provider


def _check_group(group: str) -> None:
    if not 1 <= len(group) <= 128:
        raise FederationError(GROUP_INVALID)
