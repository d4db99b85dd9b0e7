"""An OIDC ID token as STS checks it: a JWT from an issuer the account trusts, for one of its client ids, signed with
a key of the issuer's JWKS (RS256/384/512 or ES256/384/512), and not expired on the sandbox clock.

The keys of the training IdP's issuers are read from the database (`oidc_verification_keys`): the sandbox never goes
to the network, so an issuer the training IdP does not play cannot be verified, as an unreachable one on AWS.
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from sandbox.federation.issuers import provider_host
from sandbox.federation.selectors import oidc_verification_keys
from sandbox.sts.federation import ExpiredTokenException, InvalidIdentityToken

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
# AWS's texts, as quoted in public issues and AWS's IRSA troubleshooting page.
NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
NO_PROVIDER = "No OpenIDConnect provider found in your account for {issuer}"
WRONG_AUDIENCE = "Incorrect token audience"
KEY_UNAVAILABLE = (
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity "
    "documentation for requirements"
)
# sic: AWS writes no space before the second number.
EXPIRED = "Token expired: current date/time {now} must be before the expiration date/time{exp}"
# Best guess (no AWS text found): a token whose signature does not verify with the issuer's keys.
SIGNATURE_INVALID = "The ID Token provided could not be verified with the identity provider's signing keys"

# Providers AWS knows without an IAM OIDC provider: a trust policy names them by host.
BUILT_IN_PROVIDERS = frozenset({"accounts.google.com", "cognito-identity.amazonaws.com"})


@dataclass(frozen=True, slots=True)
class UnverifiedToken:
    """The claims and header of a JWT before its signature is checked (only to know whose keys to check it with)."""

    token: str
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def issuer(self) -> str:
        return str(self.claims.get("iss", ""))

    @property
    def host(self) -> str:
        return provider_host(self.issuer)

    @property
    def audiences(self) -> tuple[str, ...]:
        audience = self.claims.get("aud")
        return tuple(str(item) for item in audience) if isinstance(audience, list) else (str(audience or ""),)


def token_read(token: str) -> UnverifiedToken:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise InvalidIdentityToken(NOT_A_JWT) from error
    if not isinstance(claims.get("iss"), str) or "sub" not in claims:
        raise InvalidIdentityToken(NOT_A_JWT)
    return UnverifiedToken(token=token, header=header, claims=claims)


def token_verify(unverified: UnverifiedToken, *, account_id: str, now: datetime) -> dict[str, Any]:
    """The verified claims; the signature is checked with the issuer's keys in `account_id`'s sandbox."""
    keys = oidc_verification_keys(account_id=account_id, issuer_url=unverified.issuer)
    if keys is None:
        raise InvalidIdentityToken(KEY_UNAVAILABLE)
    key = keys.get(str(unverified.header.get("kid", "")))
    if key is None and len(keys) == 1 and "kid" not in unverified.header:
        key = next(iter(keys.values()))
    if key is None:
        raise InvalidIdentityToken(SIGNATURE_INVALID)
    try:
        # Times are checked below on the sandbox clock, audiences against the IAM provider's client ids.
        claims: dict[str, Any] = jwt.decode(
            unverified.token, key, algorithms=ALGORITHMS,
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.InvalidSignatureError as error:
        raise InvalidIdentityToken(SIGNATURE_INVALID) from error
    except jwt.PyJWTError as error:
        raise InvalidIdentityToken(NOT_A_JWT) from error
    expires = claims.get("exp")
    if not isinstance(expires, int):
        raise InvalidIdentityToken(NOT_A_JWT)
    moment = int(now.timestamp())
    if moment >= expires:
        raise ExpiredTokenException(EXPIRED.format(now=moment, exp=expires))
    return claims
