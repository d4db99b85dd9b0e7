"""AssumeRoleWithWebIdentity with AWS's rules: an IAM OIDC provider of the role's account for the token's issuer
(built-in providers such as `accounts.google.com` need none) whose client ids hold the token's audience, a signature
the issuer's keys verify, an unexpired token, and a trust policy allowing it with `<provider>:aud`, `:sub`, `:amr`.

https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.authorize import CallOrigin
from sandbox.clock import sandbox_now
from sandbox.moto_store import account_reader
from sandbox.sts.assume_role import AssumedRole
from sandbox.sts.federation import (
    FederatedCaller,
    FederationTrail,
    InvalidIdentityToken,
    SessionRequest,
    assume_federated,
    caller_parameters,
    federated_role,
)
from sandbox.sts.params import validate
from sandbox.sts.web_identity_token import (
    BUILT_IN_PROVIDERS,
    NO_PROVIDER,
    WRONG_AUDIENCE,
    UnverifiedToken,
    token_read,
    token_verify,
)

ACTION = "sts:AssumeRoleWithWebIdentity"
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
# Best guess (no AWS text found): a tags claim whose principal_tags value is not a list of exactly one string.
TAGS_CLAIM_INVALID = "The https://aws.amazon.com/tags claim must map each principal tag to a list of one string"


@dataclass(frozen=True, slots=True)
class WebIdentityAssumed:
    """What AssumeRoleWithWebIdentity answers besides the session."""

    assumed: AssumedRole
    subject: str
    provider: str
    audience: str

    def fields(self) -> dict[str, str]:
        """The answer's own elements, in AWS's names."""
        return {"SubjectFromWebIdentityToken": self.subject, "Provider": self.provider, "Audience": self.audience}


@dataclass(frozen=True, slots=True)
class _Provider:
    """The IAM OIDC provider for the token's issuer (or the built-in one): its ARN and its client ids."""

    arn: str | None
    client_ids: tuple[str, ...]

    def label(self, host: str) -> str:
        """How AWS names the provider in the answer and in CloudTrail: the IAM provider's ARN, or the built-in host."""
        return self.arn or host


def assume_role_with_web_identity(
    params: Mapping[str, Any], *, origin: CallOrigin | None = None, trail: FederationTrail | None = None
) -> WebIdentityAssumed:
    """Check the token and the trust policy and issue the role session; raise an AwsError where AWS refuses."""
    trail = trail or FederationTrail()
    validate("AssumeRoleWithWebIdentity", params)
    request = SessionRequest.parse(params)
    role_account, role = federated_role(request.role_arn, trail)
    session_name = str(params["RoleSessionName"])
    trail.request_parameters = {"roleArn": request.role_arn, "roleSessionName": session_name}
    if request.duration is not None:
        trail.request_parameters["durationSeconds"] = request.duration
    unverified = token_read(str(params["WebIdentityToken"]))
    provider = _provider(trail.account_id, unverified)
    audience = _audience(unverified, provider)
    label = provider.label(unverified.host)
    subject = str(unverified.claims.get("sub", ""))
    trail.user_identity = {
        "type": "WebIdentityUser", "principalId": f"{label}:{audience}:{subject}", "userName": subject,
        "identityProvider": label,
    }
    claims = token_verify(unverified, account_id=role_account, now=sandbox_now(role_account))
    caller = _caller(claims, unverified.host, provider, audience, session_name, trail.user_identity)
    trail.request_parameters.update(caller_parameters(caller))
    assumed = assume_federated(caller, role, request, origin=origin)
    return WebIdentityAssumed(assumed=assumed, subject=subject, provider=label, audience=audience)


def _provider(account_id: str | None, token: UnverifiedToken) -> _Provider:
    """The account's IAM OIDC provider for the issuer; a built-in provider needs none (its client ids: any)."""
    found: _Provider | None = None
    if account_id is not None:
        with account_reader(account_id) as backends:
            for provider in backends.iam.open_id_providers.values():
                if provider.url == token.host:
                    found = _Provider(arn=str(provider.arn), client_ids=tuple(provider.client_id_list or ()))
    if found is not None:
        return found
    if token.host in BUILT_IN_PROVIDERS:
        return _Provider(arn=None, client_ids=())
    raise InvalidIdentityToken(NO_PROVIDER.format(issuer=token.issuer))


def _audience(token: UnverifiedToken, provider: _Provider) -> str:
    """The client id the token is for. Google puts the app's id in `azp` when `aud` names another audience."""
    audiences = token.audiences
    if provider.arn is None:
        return str(token.claims.get("azp") or audiences[0])
    matching = [audience for audience in audiences if audience in provider.client_ids]
    if not matching:
        raise InvalidIdentityToken(WRONG_AUDIENCE)
    return matching[0]


def _caller(
    claims: Mapping[str, Any], host: str, provider: _Provider, audience: str, session_name: str,
    user_identity: dict[str, Any],
) -> FederatedCaller:
    subject = str(claims.get("sub", ""))
    keys: dict[str, str | list[str]] = {f"{host}:aud": audience, f"{host}:sub": subject}
    if host == "accounts.google.com" and claims.get("azp") and claims.get("aud") != audience:
        keys[f"{host}:oaud"] = str(claims["aud"])
    amr = claims.get("amr")
    if host == "cognito-identity.amazonaws.com" and isinstance(amr, list):
        keys[f"{host}:amr"] = [str(item) for item in amr]
    tags, transitive = _tags(claims.get(TAGS_CLAIM))
    source = claims.get(SOURCE_IDENTITY_CLAIM)
    principals = tuple(dict.fromkeys(p for p in (provider.arn, host if host in BUILT_IN_PROVIDERS else None) if p))
    return FederatedCaller(
        action=ACTION, principals=principals, keys=keys, session_name=session_name, user_identity=user_identity,
        tags=tags, transitive_tag_keys=transitive, source_identity=str(source) if source else None,
        session_keys={"aws:FederatedProvider": provider.label(host)},
    )


def _tags(claim: Any) -> tuple[dict[str, str], tuple[str, ...]]:
    """`principal_tags` (each value a list of one string: session tags have one value) and `transitive_tag_keys`."""
    if not isinstance(claim, dict):
        return {}, ()
    tags: dict[str, str] = {}
    for key, value in (claim.get("principal_tags") or {}).items():
        if not isinstance(value, list) or len(value) != 1:
            raise InvalidIdentityToken(TAGS_CLAIM_INVALID)
        tags[str(key)] = str(value[0])
    return tags, tuple(str(key) for key in claim.get("transitive_tag_keys") or ())
