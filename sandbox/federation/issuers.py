"""The issuers the training IdP can play: itself (SAML and a generic OIDC issuer) and look-alikes of the OIDC issuers
learners meet (GitHub Actions, Google, Amazon Cognito), with their claim shapes.

Every issuer signs with a key of its own per sandbox (`IdpSigningKey`): a token one learner's IdP issued in GitHub's
name verifies only against that learner's key, never another's, although both carry GitHub's `iss`.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings


class Issuer(StrEnum):
    SAML = "saml"
    TRAINING = "oidc"
    GITHUB = "github"
    GOOGLE = "google"
    COGNITO = "cognito"


DEFAULT_SAML_ENTITY_ID = "https://idp.training.example/saml"
DEFAULT_OIDC_ISSUER_BASE = "https://idp.training.example/oidc"


@dataclass(frozen=True, slots=True)
class OidcProfile:
    """How an OIDC issuer's ID tokens look: its `iss`, the audience it uses by default and the token lifetime."""

    issuer: Issuer
    label: str
    default_audience: str
    lifetime_seconds: int
    fixed_url: str = ""  # empty for the training issuer, whose URL holds the sandbox's key

    def url(self, provider_key: str) -> str:
        return self.fixed_url or f"{training_issuer_base()}/{provider_key}"


# GitHub's tokens are valid for five minutes and name `sts.amazonaws.com` when configure-aws-credentials asks for
# them; Cognito's OpenID tokens last ten minutes; Google's ID tokens an hour.
PROFILES: dict[Issuer, OidcProfile] = {
    Issuer.TRAINING: OidcProfile(Issuer.TRAINING, "Corporate portal (OpenID Connect)", "training-portal", 3600),
    Issuer.GITHUB: OidcProfile(
        Issuer.GITHUB, "GitHub Actions", "sts.amazonaws.com", 300, "https://token.actions.githubusercontent.com"
    ),
    Issuer.GOOGLE: OidcProfile(
        Issuer.GOOGLE, "Google", "training-app.apps.googleusercontent.com", 3600, "https://accounts.google.com"
    ),
    Issuer.COGNITO: OidcProfile(
        Issuer.COGNITO, "Amazon Cognito identity pool", "us-east-1:00000000-0000-4000-8000-000000000000", 600,
        "https://cognito-identity.amazonaws.com",
    ),
}


def training_issuer_base() -> str:
    """Where the training OIDC issuers live: `settings.FEDERATION_OIDC_ISSUER_BASE` (an https URL without a final
    slash; on a deployment, `https://<site>/federation/oidc` makes the issuer URL serve its own discovery document)."""
    return str(getattr(settings, "FEDERATION_OIDC_ISSUER_BASE", DEFAULT_OIDC_ISSUER_BASE)).rstrip("/")


def profile_for_url(url: str, provider_key: str) -> OidcProfile | None:
    """The profile whose issuer URL is `url` for this sandbox's IdP (None for an issuer the IdP does not play)."""
    wanted = url.rstrip("/")
    return next((profile for profile in PROFILES.values() if profile.url(provider_key) == wanted), None)


def provider_host(url: str) -> str:
    """An issuer URL as IAM names it: without `https://` (`token.actions.githubusercontent.com`), which is also the
    prefix of its condition keys (`token.actions.githubusercontent.com:sub`)."""
    return url.split("://", 1)[-1]
