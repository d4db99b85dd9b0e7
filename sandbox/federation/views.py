"""The training IdP's public documents: SAML metadata, and each OIDC issuer's discovery document and JWKS.

They are public, as an IdP's are: the URL's key only says which sandbox's IdP, and nothing here is secret.
"""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from sandbox.federation import issue, oidc_idp, selectors
from sandbox.federation.issuers import PROFILES, Issuer
from sandbox.models import IdentityProvider


def _provider(key: str) -> IdentityProvider:
    provider = selectors.identity_provider_by_key(key=key)
    if provider is None:
        raise Http404("no such identity provider")
    return provider


def _issuer(name: str) -> Issuer:
    try:
        issuer = Issuer(name)
    except ValueError as error:
        raise Http404("no such issuer") from error
    if issuer not in PROFILES:
        raise Http404("no such issuer")
    return issuer


@require_GET
def saml_metadata(request: HttpRequest, key: str) -> HttpResponse:
    provider = _provider(key)
    sso_url = request.build_absolute_uri(reverse("federation:portal"))
    document = issue.saml_metadata_get(sandbox=provider.sandbox, sso_url=sso_url)
    return HttpResponse(document, content_type="application/samlmetadata+xml",
                        headers={"Content-Disposition": 'attachment; filename="metadata.xml"'})


@require_GET
def oidc_discovery(request: HttpRequest, key: str, issuer: str = Issuer.TRAINING.value) -> JsonResponse:
    provider, chosen = _provider(key), _issuer(issuer)
    jwks_url = request.build_absolute_uri(reverse("federation:oidc-jwks", args=[key, chosen.value]))
    return JsonResponse(oidc_idp.discovery_document(issuer_url=PROFILES[chosen].url(provider.key), jwks_url=jwks_url))


@require_GET
def oidc_jwks(request: HttpRequest, key: str, issuer: str = Issuer.TRAINING.value) -> JsonResponse:
    provider = _provider(key)
    return JsonResponse(issue.jwks_get(sandbox=provider.sandbox, issuer=_issuer(issuer)))
