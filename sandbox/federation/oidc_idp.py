"""The training OIDC issuers: RS256 ID tokens (PyJWT), discovery documents and JWKS.

Claim shapes follow each issuer: GitHub Actions (`sub` = `repo:ORG/REPO:ref:refs/heads/BRANCH`, audience
`sts.amazonaws.com`), Google (`azp`, numeric `sub`, `email`), Cognito identity pools (`amr` with `authenticated` and
the login provider, or `unauthenticated`), and the portal's own issuer (`amr` = `pwd`). Session tags travel in the
`https://aws.amazon.com/tags` claim (`principal_tags` values are lists, as AWS wants them).
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from sandbox.federation.issuers import PROFILES, Issuer, OidcProfile
from sandbox.federation.keys import public_jwk
from sandbox.models import DirectoryUser, IdentityProvider, IdpSigningKey

TAGS_CLAIM = "https://aws.amazon.com/tags"
COGNITO_USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Training"


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """What one ID token is about. GitHub tokens describe a workflow run (`repository`, `ref`, `event`), the others a
    directory user. `audience` overrides the issuer's default one."""

    issuer: Issuer
    user: DirectoryUser | None = None
    audience: str | None = None
    repository: str = "example-org/example-repo"
    ref: str = "refs/heads/main"
    event: str = "push"
    environment: str = ""
    authenticated: bool = True  # Cognito: an authenticated identity, or a guest
    lifetime_seconds: int | None = None


def id_token_create(*, provider: IdentityProvider, key: IdpSigningKey, request: TokenRequest, now: datetime) -> str:
    """An RS256 ID token signed with the issuer's key of this sandbox (`kid` in the header)."""
    profile = PROFILES[request.issuer]
    lifetime = request.lifetime_seconds if request.lifetime_seconds is not None else profile.lifetime_seconds
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": profile.url(provider.key),
        "aud": request.audience or profile.default_audience,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": str(uuid.uuid4()),
        **_profile_claims(provider, profile, request),
    }
    tags = _tags_claim(request.user) if request.issuer is not Issuer.GITHUB else None
    if tags:
        claims[TAGS_CLAIM] = tags
    return jwt.encode(claims, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})


def _profile_claims(provider: IdentityProvider, profile: OidcProfile, request: TokenRequest) -> dict[str, Any]:
    user = request.user
    if profile.issuer is Issuer.GITHUB:
        return _github_claims(request)
    if user is None:
        raise ValueError(f"a {profile.label} token is about a directory user")
    if profile.issuer is Issuer.GOOGLE:
        return {
            "azp": request.audience or profile.default_audience, "sub": _numeric_id(provider, user),
            "email": user.email or f"{user.name}@corp.example", "email_verified": True,
        }
    if profile.issuer is Issuer.COGNITO:
        identity_id = f"us-east-1:{uuid.uuid5(uuid.NAMESPACE_URL, f'{provider.key}/{user.name}')}"
        amr = ["authenticated", COGNITO_USER_POOL, f"{COGNITO_USER_POOL}:CognitoSignIn:{user.name}"]
        return {"sub": identity_id, "amr": amr if request.authenticated else ["unauthenticated"]}
    return {
        "sub": user.name, "amr": ["pwd"], "email": user.email, "name": user.display_name or user.name,
        "groups": list(user.groups),
    }


def _github_claims(request: TokenRequest) -> dict[str, Any]:
    owner = request.repository.split("/", 1)[0]
    if request.event == "pull_request":
        subject = f"repo:{request.repository}:pull_request"
    elif request.environment:
        subject = f"repo:{request.repository}:environment:{request.environment}"
    else:
        subject = f"repo:{request.repository}:ref:{request.ref}"
    return {
        "sub": subject, "repository": request.repository, "repository_owner": owner, "ref": request.ref,
        "ref_type": "branch", "event_name": request.event, "actor": "octocat",
        "workflow": "deploy", "job_workflow_ref": f"{request.repository}/.github/workflows/deploy.yml@{request.ref}",
        "runner_environment": "github-hosted", "run_id": str(secrets.randbelow(10**10)),
        **({"environment": request.environment} if request.environment else {}),
    }


def _tags_claim(user: DirectoryUser | None) -> dict[str, Any] | None:
    if user is None or not user.session_tags:
        return None
    claim: dict[str, Any] = {"principal_tags": {str(k): [str(v)] for k, v in user.session_tags.items()}}
    if user.transitive_tag_keys:
        claim["transitive_tag_keys"] = [str(key) for key in user.transitive_tag_keys]
    return claim


def _numeric_id(provider: IdentityProvider, user: DirectoryUser) -> str:
    """Google subjects are 21-digit numbers, stable per user."""
    digest = hashlib.sha256(f"{provider.key}/{user.name}".encode()).hexdigest()
    return "1" + str(int(digest, 16))[:20]


def discovery_document(*, issuer_url: str, jwks_url: str) -> dict[str, Any]:
    """The `/.well-known/openid-configuration` document (the parts STS reads: issuer and jwks_uri)."""
    return {
        "issuer": issuer_url,
        "jwks_uri": jwks_url,
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "aud", "exp", "iat", "iss", "amr", "email", TAGS_CLAIM],
    }


def jwks_document(*, keys: list[IdpSigningKey]) -> dict[str, Any]:
    return {"keys": [public_jwk(key.certificate_pem, key.kid) for key in keys]}
