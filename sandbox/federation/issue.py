"""What the training IdP hands out: signed SAML responses and ID tokens for a directory user, and its metadata.

Times come from the sandbox's teaching clock, the one STS checks them against.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sandbox.clock import clock_offset, real_now
from sandbox.errors import ApplicationError
from sandbox.federation import oidc_idp, saml_idp
from sandbox.federation.issuers import Issuer
from sandbox.federation.selectors import RolePair, directory_user_roles
from sandbox.federation.services import identity_provider_get_or_create, signing_key_get_or_create
from sandbox.models import DirectoryUser, IdentityProvider, Sandbox

NO_ROLES = "`{user}` is in no group that maps to a role: add a role mapping for one of their groups"
ROLE_NOT_MAPPED = "`{user}` is not entitled to `{role}`: none of their groups maps to it"


class NotEntitled(ApplicationError):
    """The directory user has no role (or not the one asked for)."""


@dataclass(frozen=True, slots=True)
class IssuedAssertion:
    """A signed SAML response: its XML, the base64 form AWS takes, and the roles it offers."""

    xml: bytes
    encoded: str
    roles: tuple[RolePair, ...]


def idp_now(sandbox: Sandbox) -> datetime:
    return real_now() + clock_offset(sandbox)


def saml_metadata_get(*, sandbox: Sandbox, sso_url: str) -> bytes:
    provider = identity_provider_get_or_create(sandbox=sandbox)
    key = signing_key_get_or_create(provider=provider, issuer=Issuer.SAML)
    return saml_idp.saml_metadata_xml(provider=provider, key=key, sso_url=sso_url)


def saml_assertion_issue(
    *, user: DirectoryUser, role_arn: str | None = None, options: saml_idp.AssertionOptions | None = None,
) -> IssuedAssertion:
    """A signed SAML response for `user` offering the roles their groups map to (only `role_arn`, when given).

    `options.role_values` left empty are filled from the mappings; set, they are sent as they are (labs and tests
    use that to build assertions the IdP's mappings would not).
    """
    provider = IdentityProvider.objects.select_related("sandbox").get(pk=user.provider_id)
    pairs = directory_user_roles(user=user)
    if role_arn is not None:
        pairs = [pair for pair in pairs if pair.role_arn == role_arn]
        if not pairs:
            raise NotEntitled(ROLE_NOT_MAPPED.format(user=user.name, role=role_arn))
    options = options or saml_idp.AssertionOptions(role_values=())
    if not options.role_values:
        if not pairs:
            raise NotEntitled(NO_ROLES.format(user=user.name))
        options = replace(options, role_values=tuple(pair.attribute_value for pair in pairs))
    if options.session_duration is None and provider.session_duration is not None:
        options = replace(options, session_duration=provider.session_duration)
    key = signing_key_get_or_create(provider=provider, issuer=Issuer.SAML)
    xml = saml_idp.saml_response_create(user=user, key=key, options=options, now=idp_now(provider.sandbox))
    return IssuedAssertion(xml=xml, encoded=saml_idp.saml_response_base64(xml), roles=tuple(pairs))


def id_token_issue(*, sandbox: Sandbox, request: oidc_idp.TokenRequest) -> str:
    """An ID token of `request.issuer`, signed with that issuer's key in this sandbox's IdP."""
    provider = identity_provider_get_or_create(sandbox=sandbox)
    key = signing_key_get_or_create(provider=provider, issuer=request.issuer)
    return oidc_idp.id_token_create(provider=provider, key=key, request=request, now=idp_now(sandbox))


def jwks_get(*, sandbox: Sandbox, issuer: Issuer) -> dict[str, Any]:
    """The JWKS of one of the IdP's OIDC issuers (its key is made if it was never used)."""
    provider = identity_provider_get_or_create(sandbox=sandbox)
    return oidc_idp.jwks_document(keys=[signing_key_get_or_create(provider=provider, issuer=issuer)])
