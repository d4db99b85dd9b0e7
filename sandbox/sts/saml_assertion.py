"""A SAML response as STS checks it: decoded, its signature verified (signxml) with a certificate of the IAM SAML
provider's metadata, and only then read, from the signed element alone (never from the rest of the document, which
the signature does not cover: that is how signature-wrapping attacks are refused).

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import SignXMLException

from sandbox.sts.federation import IDPRejectedClaim, InvalidIdentityToken

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
NAMESPACES = {"saml": SAML_NS, "samlp": SAMLP_NS, "md": MD_NS, "ds": DS_NS}
UNSPECIFIED_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
SAML2_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"

# AWS's texts (troubleshoot_saml.html, and error answers quoted in public issues).
SIGNATURE_INVALID = "Response signature invalid"
# The STS API reference's description of IDPRejectedClaim (a response whose status is not Success).
IDP_REJECTED = (
    "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid."
)
# Best guesses (no AWS text found): a value that is not base64 of XML, a response without one signed assertion.
NOT_A_RESPONSE = "The SAMLAssertion is not a base64-encoded SAML 2.0 response"
NO_SIGNED_ASSERTION = "The SAML response contains no signed assertion"
NO_SUBJECT_CONFIRMATION = (
    "The SAML assertion must have exactly one SubjectConfirmation with a SubjectConfirmationData that has both "
    "NotOnOrAfter and Recipient"
)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    """What STS reads from a verified assertion."""

    assertion_id: str
    issuer: str
    issue_instant: datetime | None
    subject: str
    subject_format: str
    recipients: tuple[str, ...]
    confirmation_not_on_or_after: datetime | None
    not_before: datetime | None
    not_on_or_after: datetime | None
    audiences: tuple[str, ...]
    session_not_on_or_after: datetime | None
    attributes: dict[str, tuple[str, ...]]

    @property
    def subject_type(self) -> str:
        """SubjectType as AWS answers it: the SAML 2.0 format prefix removed (`persistent`), others as they are."""
        if self.subject_format.startswith(SAML2_FORMAT_PREFIX):
            return self.subject_format[len(SAML2_FORMAT_PREFIX):]
        return self.subject_format

    def attribute(self, name: str) -> tuple[str, ...]:
        return self.attributes.get(name, ())


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The parts of an IAM SAML provider's metadata document STS uses: the entity ID and the signing certificates."""

    entity_id: str
    certificates: tuple[x509.Certificate, ...]


def response_decode(encoded: str) -> bytes:
    """The XML of a base64 SAMLAssertion (what the IdP posted to AWS sign-in as `SAMLResponse`)."""
    try:
        xml = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidIdentityToken(NOT_A_RESPONSE) from error
    if not xml.lstrip().startswith(b"<"):
        raise InvalidIdentityToken(NOT_A_RESPONSE)
    return xml


def metadata_parse(document: str) -> ProviderMetadata:
    """Entity ID and signing certificates (KeyDescriptor without `use`, or `use="signing"`) of a metadata document."""
    try:
        root = etree.fromstring(document.encode(), _PARSER)
    except etree.XMLSyntaxError:
        return ProviderMetadata(entity_id="", certificates=())
    certificates = []
    for descriptor in root.iterfind(".//md:IDPSSODescriptor/md:KeyDescriptor", NAMESPACES):
        if descriptor.get("use", "signing") != "signing":
            continue
        for element in descriptor.iterfind(".//ds:X509Certificate", NAMESPACES):
            try:
                der = base64.b64decode("".join((element.text or "").split()))
                certificates.append(x509.load_der_x509_certificate(der))
            except ValueError:
                continue
    return ProviderMetadata(entity_id=root.get("entityID", ""), certificates=tuple(certificates))


def assertion_verify(xml: bytes, metadata: ProviderMetadata) -> SamlAssertion:
    """Verify the response's signature with one of the metadata's certificates and read the signed assertion."""
    _check_status(xml)
    signed = _signed_element(xml, metadata.certificates)
    if signed.tag == f"{{{SAML_NS}}}Assertion":
        assertion = signed
    elif signed.tag == f"{{{SAMLP_NS}}}Response":
        found = signed.findall("saml:Assertion", NAMESPACES)
        if len(found) != 1:
            raise InvalidIdentityToken(NO_SIGNED_ASSERTION)
        assertion = found[0]
    else:
        raise InvalidIdentityToken(NO_SIGNED_ASSERTION)
    return _read(assertion)


def response_tree(xml: bytes) -> etree._Element:
    """The response parsed without trusting it (no entities, no DTD, no network): to read its status, or to list
    the roles it offers before anything is verified."""
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as error:
        raise InvalidIdentityToken(NOT_A_RESPONSE) from error


def _check_status(xml: bytes) -> None:
    """A response whose status is not Success says the IdP did not authenticate the user (it carries no assertion
    to trust, so reading its unsigned status is safe: it can only make STS refuse)."""
    root = response_tree(xml)
    status = root.find("samlp:Status/samlp:StatusCode", NAMESPACES) if root.tag == f"{{{SAMLP_NS}}}Response" else None
    if status is not None and status.get("Value") != SUCCESS:
        raise IDPRejectedClaim(IDP_REJECTED)


def _signed_element(xml: bytes, certificates: tuple[x509.Certificate, ...]) -> etree._Element:
    for certificate in certificates:
        try:
            result = XMLVerifier().verify(xml, x509_cert=certificate)
        except SignXMLException:
            continue
        except etree.XMLSyntaxError as error:
            raise InvalidIdentityToken(NOT_A_RESPONSE) from error
        verified = result[0] if isinstance(result, list) else result
        return verified.signed_xml
    raise InvalidIdentityToken(SIGNATURE_INVALID)


def _read(assertion: etree._Element) -> SamlAssertion:
    name_id = assertion.find("saml:Subject/saml:NameID", NAMESPACES)
    confirmations = [
        data for data in assertion.iterfind("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData",
                                            NAMESPACES)
        if data.get("NotOnOrAfter") and data.get("Recipient")
    ]
    if len(confirmations) != 1:
        raise InvalidIdentityToken(NO_SUBJECT_CONFIRMATION)
    conditions = assertion.find("saml:Conditions", NAMESPACES)
    authn = assertion.find("saml:AuthnStatement", NAMESPACES)
    attributes: dict[str, tuple[str, ...]] = {}
    for attribute in assertion.iterfind("saml:AttributeStatement/saml:Attribute", NAMESPACES):
        values = tuple((value.text or "").strip() for value in attribute.iterfind("saml:AttributeValue", NAMESPACES))
        attributes[attribute.get("Name", "")] = attributes.get(attribute.get("Name", ""), ()) + values
    return SamlAssertion(
        assertion_id=assertion.get("ID", ""),
        issuer=(assertion.findtext("saml:Issuer", "", NAMESPACES) or "").strip(),
        issue_instant=_instant(assertion.get("IssueInstant")),
        subject=(name_id.text or "").strip() if name_id is not None else "",
        subject_format=name_id.get("Format", UNSPECIFIED_FORMAT) if name_id is not None else UNSPECIFIED_FORMAT,
        recipients=(confirmations[0].get("Recipient", ""),),
        confirmation_not_on_or_after=_instant(confirmations[0].get("NotOnOrAfter")),
        not_before=_instant(conditions.get("NotBefore")) if conditions is not None else None,
        not_on_or_after=_instant(conditions.get("NotOnOrAfter")) if conditions is not None else None,
        audiences=tuple(
            (audience.text or "").strip()
            for audience in assertion.iterfind("saml:Conditions/saml:AudienceRestriction/saml:Audience", NAMESPACES)
        ),
        session_not_on_or_after=_instant(authn.get("SessionNotOnOrAfter")) if authn is not None else None,
        attributes=attributes,
    )


def _instant(value: str | None) -> datetime | None:
    """An xs:dateTime in UTC (`2026-11-28T17:11:00.123Z`); .NET IdPs send seven fraction digits, cut to six."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidIdentityToken(NOT_A_RESPONSE) from error
