"""IAM's OpenID Connect and SAML identity providers where moto lacks a call or answers unlike AWS.

moto 5.2.5 has no AddClientIDToOpenIDConnectProvider / RemoveClientIDFromOpenIDConnectProvider: they are answered
here, on moto's provider objects. `check_provider_call` refuses, before moto stores anything, what IAM refuses and
moto lets through (a second provider with the same name or URL, a URL that is not https, deleting a provider that is
not there). Authorization has already happened when these run.
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sandbox.endpoint.dispatch import MotoResponse, iam_error, iam_ok
from sandbox.errors import AwsError, EntityAlreadyExists, LimitExceeded, NoSuchEntity, ValidationError
from sandbox.moto_store import AccountBackends

if TYPE_CHECKING:
    from moto.iam.models import OpenIDConnectProvider

# AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddClientIDToOpenIDConnectProvider.html
CLIENT_IDS_PER_PROVIDER = 100
# AWS's texts, as recorded against AWS by LocalStack's snapshot tests (tests/aws/services/iam/test_iam_oidc and
# test_iam_saml_providers, February 2026) unless marked otherwise.
OIDC_NOT_FOUND = "OpenIDConnect Provider not found for arn {arn}"
OIDC_DELETE_NOT_FOUND = "OpenId connect Provider {arn} cannot be found."
CLIENT_ID_QUOTA = "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"
URL_EXISTS = "Provider with url {url} already exists."
URL_INVALID = "Invalid Open ID Connect Provider URL"
SAML_NOT_FOUND = "Manifest not found for arn {arn}"
# Best guesses: an http:// URL (two IAM-compatible services answer this; no capture from AWS itself), and a second
# SAML provider of the same name (AWS's text as relayed by a CloudFormation resource provider's error).
URL_NOT_HTTPS = "Invalid Open ID Connect Provider URL. The URL must begin with https://."
SAML_NAME_EXISTS = "Provider with name {name} already exists."

# The event history keeps a SAML metadata document (up to 10 MB) cut to its first kilobyte.
LOGGED_DOCUMENT = "SAMLMetadataDocument"
DOCUMENT_KEPT = 1024
TRUNCATED = "…(truncated)"

Handler = Callable[[AccountBackends, Mapping[str, Any]], MotoResponse]


class InvalidInput(AwsError):
    code = "InvalidInput"
    status = 400


def provider_call(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> MotoResponse:
    """Serve one of `PROVIDER_CALLS` in the (writable) account of `backends`."""
    try:
        return HANDLERS[name](backends, params)
    except AwsError as error:
        return iam_error(error.code, error.message, error.status)


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _oidc_provider(backends: AccountBackends, arn: str) -> OpenIDConnectProvider:
    provider = backends.iam.open_id_providers.get(arn)
    if provider is None:
        raise NoSuchEntity(OIDC_NOT_FOUND.format(arn=arn))
    return provider


def add_client_id(backends: AccountBackends, params: Mapping[str, Any]) -> MotoResponse:
    """AWS: idempotent, "it does not fail or return an error if you add an existing client ID"."""
    provider = _oidc_provider(backends, _text(params, "OpenIDConnectProviderArn"))
    client_id = _text(params, "ClientID")
    if client_id not in provider.client_id_list:
        if len(provider.client_id_list) >= CLIENT_IDS_PER_PROVIDER:
            raise LimitExceeded(CLIENT_ID_QUOTA)
        provider.client_id_list = [*provider.client_id_list, client_id]
    return iam_ok("AddClientIDToOpenIDConnectProvider")


def remove_client_id(backends: AccountBackends, params: Mapping[str, Any]) -> MotoResponse:
    """AWS: idempotent, removing a client ID the provider does not have is no error."""
    provider = _oidc_provider(backends, _text(params, "OpenIDConnectProviderArn"))
    client_id = _text(params, "ClientID")
    provider.client_id_list = [existing for existing in provider.client_id_list if existing != client_id]
    return iam_ok("RemoveClientIDFromOpenIDConnectProvider")


HANDLERS: dict[str, Handler] = {
    "AddClientIDToOpenIDConnectProvider": add_client_id,
    "RemoveClientIDFromOpenIDConnectProvider": remove_client_id,
}
PROVIDER_CALLS: frozenset[str] = frozenset(HANDLERS)


def check_provider_call(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> None:
    """Raise the AWS error for a provider call IAM refuses and moto would carry out (or answer otherwise)."""
    if name == "CreateOpenIDConnectProvider":
        _check_new_oidc_url(backends, _text(params, "Url"))
    elif name == "DeleteOpenIDConnectProvider":
        arn = _text(params, "OpenIDConnectProviderArn")
        if arn not in backends.iam.open_id_providers:
            raise NoSuchEntity(OIDC_DELETE_NOT_FOUND.format(arn=arn))
    elif name == "CreateSAMLProvider":
        wanted = _text(params, "Name")
        # Best guess: like role and user names, provider names are unique regardless of case.
        if any(existing.lower() == wanted.lower() for existing in backends.iam.saml_providers):
            raise EntityAlreadyExists(SAML_NAME_EXISTS.format(name=wanted))
    elif name == "DeleteSAMLProvider":
        arn = _text(params, "SAMLProviderArn")
        if all(provider.arn != arn for provider in backends.iam.saml_providers.values()):
            raise NoSuchEntity(SAML_NOT_FOUND.format(arn=arn))


def oidc_provider_path(url: str) -> str:
    """What follows `oidc-provider/` in the provider's ARN: the URL without its scheme, kept as given.

    AWS keeps a trailing slash (`https://host/` names the provider `host/`, a different one from `host`).
    """
    parsed = urllib.parse.urlparse(url)
    return parsed.netloc + parsed.path


def _check_new_oidc_url(backends: AccountBackends, url: str) -> None:
    # AWS: "The URL must begin with https://" (API_CreateOpenIDConnectProvider.html).
    parsed = urllib.parse.urlparse(url)
    if not parsed.scheme or not parsed.netloc:
        raise ValidationError(URL_INVALID)
    if parsed.scheme != "https":
        raise InvalidInput(URL_NOT_HTTPS)
    path = oidc_provider_path(url)
    if any(provider.url == path for provider in backends.iam.open_id_providers.values()):
        raise EntityAlreadyExists(URL_EXISTS.format(url=url))


def event_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """A call's parameters as the event history stores them: a SAML metadata document cut to its first kilobyte."""
    kept = dict(params)
    document = kept.get(LOGGED_DOCUMENT)
    if isinstance(document, str) and len(document) > DOCUMENT_KEPT:
        kept[LOGGED_DOCUMENT] = document[:DOCUMENT_KEPT] + TRUNCATED
    return kept
