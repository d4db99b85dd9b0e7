"""IAM identity providers (SAML 2.0 and OpenID Connect) for the console: reads and writes through `iam_call`.

Reads are kept here with the writes so this console area stays in its own modules. Every call goes through
`sandbox.api.iam_call` as the console identity, so it is authorized by the engine and recorded like an API call.
SAML metadata is checked here before CreateSAMLProvider / UpdateSAMLProvider, because moto stores any text.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from xml.etree import ElementTree  # noqa: S405 - DTDs are refused before parsing (see _parse_xml)

from cryptography import x509
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sandbox.api import iam_call
from sandbox.errors import AwsError, EntityAlreadyExists, ValidationError
from sandbox.identity import Identity

ProviderKind = Literal["saml", "oidc"]
KIND_LABELS: dict[str, str] = {"saml": "SAML", "oidc": "OpenID Connect"}

# AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
SAML_NAME_PATTERN = re.compile(r"[\w._-]+", re.ASCII)
SAML_NAME_MAX = 128
METADATA_MIN = 1000
METADATA_MAX = 10_000_000
# AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
OIDC_URL_MAX = 255
CLIENT_ID_MAX = 255
CLIENT_IDS_MAX = 100
THUMBPRINTS_MAX = 5

METADATA_TOO_SHORT = (
    "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: "
    "Member must have length greater than or equal to 1000"
)
METADATA_TOO_LONG = (
    "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: "
    "Member must have length less than or equal to 10000000"
)
# UNCONFIRMED: the text IAM answers for metadata it cannot use (widely reported; not in AWS's API reference).
METADATA_UNPARSABLE = "Could not parse metadata"
SAML_PROVIDER_EXISTS = "Provider with name {name} already exists."  # 3P: AWS's answer quoted by org-formation users
OIDC_PROVIDER_EXISTS = "Provider with url https://{url} already exists."  # 3P: quoted in terraform issues

# Why the metadata was refused, in the console's explanation style (lowercase, values in backticks); translated
# when the refusal is made, so a Korean page explains in Korean (AWS's code and message stay as AWS sends them).
WHY_NOT_XML = _("the document is not well-formed XML: {detail}")
WHY_DTD = _("the document declares a DTD or entities, which metadata never needs")
WHY_ROOT = _("the root element is `{found}`; SAML metadata starts with `EntityDescriptor` in namespace `{ns}`")
WHY_NO_ENTITY_ID = _("the `EntityDescriptor` has no `entityID` attribute (the IdP's issuer name)")
WHY_NO_IDP = _(
    "the `EntityDescriptor` has no `IDPSSODescriptor`: this metadata does not describe an identity provider"
)
WHY_NO_CERTIFICATE = _(
    "the `IDPSSODescriptor` has no signing `KeyDescriptor` with an `X509Certificate`: AWS could not check the "
    "signature of the IdP's assertions"
)
WHY_BAD_CERTIFICATE = _("the signing certificate #{index} could not be read as an X.509 certificate: {detail}")

MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class InvalidSamlMetadata(AwsError):
    """IAM refuses the metadata document; `why` says what is missing, in words."""

    code = "InvalidInput"
    status = 400

    def __init__(self, why: str | Promise, **values: object) -> None:
        text = str(why).format(**values)
        super().__init__(METADATA_UNPARSABLE, extra={"why": text})
        self.why = text


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    subject: str
    issuer: str
    not_valid_before: datetime
    not_valid_after: datetime
    sha1_fingerprint: str


@dataclass(frozen=True, slots=True)
class SamlMetadata:
    """What a usable IdP metadata document says: who issues assertions, where, and signed with which keys."""

    entity_id: str
    sso_locations: tuple[tuple[str, str], ...]  # (binding, location)
    certificates: tuple[SigningCertificate, ...]
    valid_until: str = ""


@dataclass(frozen=True, slots=True)
class ProviderSummary:
    kind: ProviderKind
    name: str  # the SAML provider's name, or the OIDC provider's URL without `https://`
    arn: str
    created: datetime | None

    @property
    def type_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class ProviderDetail:
    kind: ProviderKind
    name: str
    arn: str
    created: datetime | None
    valid_until: datetime | None = None
    audiences: tuple[str, ...] = ()
    thumbprints: tuple[str, ...] = ()
    metadata_document: str = ""
    metadata: SamlMetadata | None = None
    metadata_problem: str = ""
    tags: tuple[tuple[str, str], ...] = field(default=())

    @property
    def type_label(self) -> str:
        return KIND_LABELS[self.kind]


# --- SAML metadata -----------------------------------------------------------------------------------------------


def saml_metadata_check(document: str) -> SamlMetadata:
    """The metadata's issuer, endpoints and signing certificates, or the error IAM would answer.

    AWS: the metadata must describe an IdP (`IDPSSODescriptor`) and carry the certificate its assertions are
    signed with (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html).
    """
    if len(document) < METADATA_MIN:
        raise ValidationError(METADATA_TOO_SHORT)
    if len(document) > METADATA_MAX:
        raise ValidationError(METADATA_TOO_LONG)
    root = _parse_xml(document)
    entity = _entity_descriptor(root)
    entity_id = entity.get("entityID", "").strip()
    if not entity_id:
        raise InvalidSamlMetadata(WHY_NO_ENTITY_ID)
    idp = entity.find(f"{{{MD_NS}}}IDPSSODescriptor")
    if idp is None:
        raise InvalidSamlMetadata(WHY_NO_IDP)
    certificates = _signing_certificates(idp)
    sso = tuple(
        (element.get("Binding", ""), element.get("Location", ""))
        for element in idp.findall(f"{{{MD_NS}}}SingleSignOnService")
    )
    return SamlMetadata(entity_id=entity_id, sso_locations=sso, certificates=certificates,
                        valid_until=entity.get("validUntil", ""))


def _parse_xml(document: str) -> ElementTree.Element:
    # INVARIANT: no DTD reaches the parser, so no entity expansion (billion laughs) and no external entities.
    if _DTD.search(document):
        raise InvalidSamlMetadata(WHY_DTD)
    try:
        return ElementTree.fromstring(document)  # noqa: S314 - DTDs refused above
    except ElementTree.ParseError as error:
        raise InvalidSamlMetadata(WHY_NOT_XML, detail=error) from None


def _entity_descriptor(root: ElementTree.Element) -> ElementTree.Element:
    if root.tag == f"{{{MD_NS}}}EntitiesDescriptor":
        # An aggregate: the first entity that is an identity provider.
        for entity in root.iter(f"{{{MD_NS}}}EntityDescriptor"):
            if entity.find(f"{{{MD_NS}}}IDPSSODescriptor") is not None:
                return entity
        raise InvalidSamlMetadata(WHY_NO_IDP)
    if root.tag != f"{{{MD_NS}}}EntityDescriptor":
        found = root.tag.split("}", 1)[-1]
        raise InvalidSamlMetadata(WHY_ROOT, found=found, ns=MD_NS)
    return root


def _signing_certificates(idp: ElementTree.Element) -> tuple[SigningCertificate, ...]:
    texts: list[str] = []
    for key in idp.findall(f"{{{MD_NS}}}KeyDescriptor"):
        if key.get("use", "signing") != "signing":  # no `use` means the key serves both purposes
            continue
        texts.extend(
            element.text or "" for element in key.iter(f"{{{DS_NS}}}X509Certificate")
        )
    if not texts:
        raise InvalidSamlMetadata(WHY_NO_CERTIFICATE)
    return tuple(_certificate(text, index) for index, text in enumerate(texts, start=1))


def _certificate(text: str, index: int) -> SigningCertificate:
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
        certificate = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as error:
        raise InvalidSamlMetadata(WHY_BAD_CERTIFICATE, index=index, detail=error) from None
    return SigningCertificate(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        not_valid_before=certificate.not_valid_before_utc,
        not_valid_after=certificate.not_valid_after_utc,
        sha1_fingerprint=hashlib.sha1(der).hexdigest(),  # noqa: S324 - a display fingerprint, not security
    )


# --- reads ----------------------------------------------------------------------------------------------------


def provider_arn(*, account_id: str, kind: ProviderKind, name: str) -> str:
    resource = "saml-provider" if kind == "saml" else "oidc-provider"
    return f"arn:aws:iam::{account_id}:{resource}/{name}"


def _name_of(arn: str) -> str:
    return arn.split(":", 5)[-1].split("/", 1)[-1]


def provider_list(*, identity: Identity) -> tuple[ProviderSummary, ...]:
    """The account's SAML and OIDC providers, sorted by name as the console lists them."""
    saml = iam_call(identity, "ListSAMLProviders").get("SAMLProviderList", [])
    found = [
        ProviderSummary(kind="saml", name=_name_of(item["Arn"]), arn=item["Arn"], created=item.get("CreateDate"))
        for item in saml
    ]
    for item in iam_call(identity, "ListOpenIDConnectProviders").get("OpenIDConnectProviderList", []):
        # ListOpenIDConnectProviders answers ARNs only; the console reads each provider for its creation time.
        details = iam_call(identity, "GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": item["Arn"]})
        found.append(ProviderSummary(kind="oidc", name=_name_of(item["Arn"]), arn=item["Arn"],
                                     created=details.get("CreateDate")))
    return tuple(sorted(found, key=lambda provider: (provider.name.lower(), provider.kind)))


def provider_get(*, identity: Identity, kind: ProviderKind, name: str) -> ProviderDetail:
    """One provider of the identity's account (AwsError NoSuchEntity when it has none of that name)."""
    arn = provider_arn(account_id=identity.account_id, kind=kind, name=name)
    if kind == "saml":
        answer = iam_call(identity, "GetSAMLProvider", {"SAMLProviderArn": arn})
        document = str(answer.get("SAMLMetadataDocument", ""))
        metadata, problem = _metadata_or_problem(document)
        return ProviderDetail(
            kind=kind, name=name, arn=arn, created=answer.get("CreateDate"), valid_until=answer.get("ValidUntil"),
            metadata_document=document, metadata=metadata, metadata_problem=problem,
            tags=_tags(answer),
        )
    answer = iam_call(identity, "GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn})
    return ProviderDetail(
        kind=kind, name=name, arn=arn, created=answer.get("CreateDate"),
        audiences=tuple(answer.get("ClientIDList", [])), thumbprints=tuple(answer.get("ThumbprintList", [])),
        tags=_tags(answer),
    )


SAML_CONSOLE_AUDIENCE = "https://signin.aws.amazon.com/saml"


def provider_trust_policy_example(provider: ProviderDetail) -> str:
    """The trust policy AWS's console writes for a role trusting this provider (reference section 5.2)."""
    if provider.kind == "saml":
        action, condition = "sts:AssumeRoleWithSAML", {"SAML:aud": SAML_CONSOLE_AUDIENCE}
    else:
        audience = provider.audiences[0] if provider.audiences else "CLIENT-ID"
        action, condition = "sts:AssumeRoleWithWebIdentity", {f"{provider.name}:aud": audience}
    statement = {
        "Effect": "Allow", "Principal": {"Federated": provider.arn}, "Action": action,
        "Condition": {"StringEquals": condition},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def _metadata_or_problem(document: str) -> tuple[SamlMetadata | None, str]:
    """Metadata stored by another client (the CLI skips our checks) may be unusable: say so instead of failing."""
    try:
        return saml_metadata_check(document), ""
    except InvalidSamlMetadata as error:
        return None, error.why
    except AwsError as error:
        return None, error.message


def _tags(answer: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(tag.get("Key", "")), str(tag.get("Value", ""))) for tag in answer.get("Tags", []))


# --- writes ---------------------------------------------------------------------------------------------------


def saml_provider_create(*, identity: Identity, name: str, metadata_document: str) -> str:
    """CreateSAMLProvider after checking the metadata as IAM does; the new provider's ARN."""
    saml_metadata_check(metadata_document)
    _refuse_existing_saml_name(identity, name)
    answer = iam_call(identity, "CreateSAMLProvider", {"Name": name, "SAMLMetadataDocument": metadata_document})
    return str(answer["SAMLProviderArn"])


def _refuse_existing_saml_name(identity: Identity, name: str) -> None:
    """moto replaces a SAML provider of the same name silently; IAM refuses (EntityAlreadyExists)."""
    wanted = provider_arn(account_id=identity.account_id, kind="saml", name=name)
    existing = iam_call(identity, "ListSAMLProviders").get("SAMLProviderList", [])
    if any(item.get("Arn") == wanted for item in existing):
        raise EntityAlreadyExists(SAML_PROVIDER_EXISTS.format(name=name))


def saml_provider_metadata_update(*, identity: Identity, name: str, metadata_document: str) -> None:
    """"Replace metadata": UpdateSAMLProvider with a checked document."""
    saml_metadata_check(metadata_document)
    arn = provider_arn(account_id=identity.account_id, kind="saml", name=name)
    iam_call(identity, "UpdateSAMLProvider", {"SAMLProviderArn": arn, "SAMLMetadataDocument": metadata_document})


def oidc_provider_create(
    *, identity: Identity, url: str, audiences: tuple[str, ...], thumbprints: tuple[str, ...] = ()
) -> str:
    """CreateOpenIDConnectProvider; moto's own refusals come back in IAM's words."""
    params: dict[str, Any] = {"Url": url, "ClientIDList": list(audiences)}
    if thumbprints:
        params["ThumbprintList"] = list(thumbprints)
    try:
        answer = iam_call(identity, "CreateOpenIDConnectProvider", params)
    except AwsError as error:
        raise _oidc_error(error, url) from None
    return str(answer["OpenIDConnectProviderArn"])


def _oidc_error(error: AwsError, url: str) -> AwsError:
    if error.code == "EntityAlreadyExists":
        # moto answers "Unknown"; IAM names the URL.
        return EntityAlreadyExists(OIDC_PROVIDER_EXISTS.format(url=url.split("://", 1)[-1]))
    return error


def oidc_audience_add(*, identity: Identity, name: str, audience: str) -> None:
    arn = provider_arn(account_id=identity.account_id, kind="oidc", name=name)
    iam_call(identity, "AddClientIDToOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn, "ClientID": audience})


def oidc_audience_remove(*, identity: Identity, name: str, audience: str) -> None:
    arn = provider_arn(account_id=identity.account_id, kind="oidc", name=name)
    iam_call(identity, "RemoveClientIDFromOpenIDConnectProvider",
             {"OpenIDConnectProviderArn": arn, "ClientID": audience})


def oidc_thumbprints_update(*, identity: Identity, name: str, thumbprints: tuple[str, ...]) -> None:
    arn = provider_arn(account_id=identity.account_id, kind="oidc", name=name)
    iam_call(identity, "UpdateOpenIDConnectProviderThumbprint",
             {"OpenIDConnectProviderArn": arn, "ThumbprintList": list(thumbprints)})


def provider_delete(*, identity: Identity, kind: ProviderKind, name: str) -> None:
    """DeleteSAMLProvider / DeleteOpenIDConnectProvider (read first: moto deletes a missing one silently)."""
    provider_get(identity=identity, kind=kind, name=name)
    arn = provider_arn(account_id=identity.account_id, kind=kind, name=name)
    if kind == "saml":
        iam_call(identity, "DeleteSAMLProvider", {"SAMLProviderArn": arn})
    else:
        iam_call(identity, "DeleteOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn})


# --- shortcuts ("Use the training identity provider") -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderPreset:
    """A ready-made provider the "Add provider" page offers as a shortcut; it only fills in the form."""

    slug: str
    label: str
    kind: ProviderKind
    name: str = ""  # SAML provider name
    metadata_document: str = ""
    url: str = ""  # OIDC provider URL
    audiences: tuple[str, ...] = ()
    thumbprints: tuple[str, ...] = ()


# Each source returns the preset it offers this identity, or None. The training IdP (a later issue) registers its
# SAML and OIDC presets here; the page then shows them as "Use the training identity provider" shortcuts.
PRESET_SOURCES: list[Callable[[Identity], ProviderPreset | None]] = []


def provider_presets(*, identity: Identity) -> tuple[ProviderPreset, ...]:
    return tuple(preset for source in PRESET_SOURCES if (preset := source(identity)) is not None)


def provider_preset(*, identity: Identity, slug: str) -> ProviderPreset | None:
    return next((preset for preset in provider_presets(identity=identity) if preset.slug == slug), None)
