"""The training SAML 2.0 IdP: its metadata document and signed SAML responses for AWS sign-in.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from lxml import etree
from signxml import SignatureConstructionMethod, XMLSigner

from sandbox.federation.keys import certificate_base64
from sandbox.models import DirectoryUser, IdentityProvider, IdpSigningKey

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

AWS_SIGNIN_SAML = "https://signin.aws.amazon.com/saml"
AWS_AUDIENCE = "urn:amazon:webservices"
ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ATTRIBUTE = ATTRIBUTE_PREFIX + "Role"
ROLE_SESSION_NAME_ATTRIBUTE = ATTRIBUTE_PREFIX + "RoleSessionName"
SESSION_DURATION_ATTRIBUTE = ATTRIBUTE_PREFIX + "SessionDuration"
SOURCE_IDENTITY_ATTRIBUTE = ATTRIBUTE_PREFIX + "SourceIdentity"
PRINCIPAL_TAG_PREFIX = ATTRIBUTE_PREFIX + "PrincipalTag:"
TRANSITIVE_TAG_KEYS_ATTRIBUTE = ATTRIBUTE_PREFIX + "TransitiveTagKeys"
ATTRIBUTE_NAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
AUTHN_CONTEXT_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
# The IdP's assertions are good for five minutes, which is also how long AWS accepts them after IssueInstant.
ASSERTION_LIFETIME = timedelta(minutes=5)


class NameIdFormat(StrEnum):
    PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
    EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


@dataclass(frozen=True, slots=True)
class AssertionOptions:
    """What goes into one SAML response besides the user: the roles offered, where it is addressed, and the
    optional attributes. The defaults are what AWS sign-in expects."""

    role_values: Sequence[str]  # `role-arn,provider-arn`
    recipient: str = AWS_SIGNIN_SAML
    audience: str = AWS_AUDIENCE
    name_id_format: NameIdFormat = NameIdFormat.PERSISTENT
    session_name: str | None = None  # default: the user's email, or name
    session_duration: int | None = None
    source_identity: str | None = None
    extra_attributes: dict[str, list[str]] = field(default_factory=dict)


def saml_metadata_xml(*, provider: IdentityProvider, key: IdpSigningKey, sso_url: str) -> bytes:
    """The IdP's metadata document, as `CreateSAMLProvider` takes it: entity ID, signing certificate, SSO URL."""
    md = f"{{{MD_NS}}}"
    descriptor = etree.Element(md + "EntityDescriptor", nsmap={"md": MD_NS}, entityID=provider.saml_entity_id)
    idp = etree.SubElement(
        descriptor, md + "IDPSSODescriptor", WantAuthnRequestsSigned="false", protocolSupportEnumeration=SAMLP_NS
    )
    key_descriptor = etree.SubElement(idp, md + "KeyDescriptor", use="signing")
    key_info = etree.SubElement(key_descriptor, f"{{{DS_NS}}}KeyInfo", nsmap={"ds": DS_NS})
    x509_data = etree.SubElement(key_info, f"{{{DS_NS}}}X509Data")
    etree.SubElement(x509_data, f"{{{DS_NS}}}X509Certificate").text = certificate_base64(key.certificate_pem)
    for name_id_format in NameIdFormat:
        etree.SubElement(idp, md + "NameIDFormat").text = name_id_format.value
    for binding in ("HTTP-Redirect", "HTTP-POST"):
        etree.SubElement(
            idp, md + "SingleSignOnService", Binding=f"urn:oasis:names:tc:SAML:2.0:bindings:{binding}", Location=sso_url
        )
    return bytes(etree.tostring(descriptor, xml_declaration=True, encoding="UTF-8"))


def saml_response_create(
    *, user: DirectoryUser, key: IdpSigningKey, options: AssertionOptions, now: datetime
) -> bytes:
    """A SAML Response for AWS sign-in whose Assertion is signed (RSA-SHA256, exclusive c14n) with the IdP's key."""
    provider = user.provider
    response_id, assertion_id = _new_id(), _new_id()
    issued = _instant(now)
    saml = f"{{{SAML_NS}}}"
    response = etree.Element(
        f"{{{SAMLP_NS}}}Response", nsmap={"samlp": SAMLP_NS, "saml": SAML_NS}, ID=response_id, Version="2.0",
        IssueInstant=issued, Destination=options.recipient,
    )
    etree.SubElement(response, saml + "Issuer").text = provider.saml_entity_id
    status = etree.SubElement(response, f"{{{SAMLP_NS}}}Status")
    etree.SubElement(status, f"{{{SAMLP_NS}}}StatusCode", Value=SUCCESS)
    assertion = etree.Element(saml + "Assertion", nsmap={"saml": SAML_NS}, ID=assertion_id, Version="2.0",
                              IssueInstant=issued)
    etree.SubElement(assertion, saml + "Issuer").text = provider.saml_entity_id
    # signxml puts the enveloped signature here, right after Issuer, where the SAML schema wants it.
    etree.SubElement(assertion, f"{{{DS_NS}}}Signature", Id="placeholder", nsmap={"ds": DS_NS})
    _subject(assertion, user, options, _instant(now + ASSERTION_LIFETIME))
    conditions = etree.SubElement(
        assertion, saml + "Conditions", NotBefore=issued, NotOnOrAfter=_instant(now + ASSERTION_LIFETIME)
    )
    restriction = etree.SubElement(conditions, saml + "AudienceRestriction")
    etree.SubElement(restriction, saml + "Audience").text = options.audience
    authn = etree.SubElement(assertion, saml + "AuthnStatement", AuthnInstant=issued, SessionIndex=assertion_id)
    context = etree.SubElement(authn, saml + "AuthnContext")
    etree.SubElement(context, saml + "AuthnContextClassRef").text = AUTHN_CONTEXT_CLASS
    _attributes(assertion, user, options)
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256",
        c14n_algorithm=EXC_C14N,
    )
    signed = signer.sign(
        assertion, key=key.private_key_pem, cert=key.certificate_pem, reference_uri=assertion_id, id_attribute="ID"
    )
    response.append(signed)
    return bytes(etree.tostring(response, xml_declaration=True, encoding="UTF-8"))


def saml_response_base64(xml: bytes) -> str:
    """The form AWS takes (`SAMLResponse` in the sign-in POST, `SAMLAssertion` of AssumeRoleWithSAML)."""
    return base64.b64encode(xml).decode()


def name_id_value(user: DirectoryUser, name_id_format: NameIdFormat) -> str:
    """Persistent: the same opaque id for the user every time; transient: a new one each time; email: the email."""
    if name_id_format is NameIdFormat.TRANSIENT:
        return _new_id()
    if name_id_format is NameIdFormat.EMAIL:
        return user.email or user.name
    digest = hashlib.sha256(f"{user.provider.key}/{user.name}".encode()).hexdigest()
    return f"_{digest[:40]}"


def _subject(assertion: etree._Element, user: DirectoryUser, options: AssertionOptions, not_on_or_after: str) -> None:
    saml = f"{{{SAML_NS}}}"
    subject = etree.SubElement(assertion, saml + "Subject")
    etree.SubElement(subject, saml + "NameID", Format=options.name_id_format.value).text = name_id_value(
        user, options.name_id_format
    )
    confirmation = etree.SubElement(subject, saml + "SubjectConfirmation", Method=BEARER)
    etree.SubElement(
        confirmation, saml + "SubjectConfirmationData", NotOnOrAfter=not_on_or_after, Recipient=options.recipient
    )


def _attributes(assertion: etree._Element, user: DirectoryUser, options: AssertionOptions) -> None:
    values: dict[str, list[str]] = {ROLE_ATTRIBUTE: list(options.role_values)}
    values[ROLE_SESSION_NAME_ATTRIBUTE] = [options.session_name or user.email or user.name]
    if options.session_duration is not None:
        values[SESSION_DURATION_ATTRIBUTE] = [str(options.session_duration)]
    if options.source_identity:
        values[SOURCE_IDENTITY_ATTRIBUTE] = [options.source_identity]
    for tag_key, tag_value in user.session_tags.items():
        values[PRINCIPAL_TAG_PREFIX + str(tag_key)] = [str(tag_value)]
    if user.transitive_tag_keys:
        values[TRANSITIVE_TAG_KEYS_ATTRIBUTE] = [str(item) for item in user.transitive_tag_keys]
    for name, value in {**user.attributes, **options.extra_attributes}.items():
        values[str(name)] = [str(item) for item in value] if isinstance(value, list) else [str(value)]
    saml = f"{{{SAML_NS}}}"
    statement = etree.SubElement(assertion, saml + "AttributeStatement")
    for name, items in values.items():
        attribute = etree.SubElement(statement, saml + "Attribute", Name=name, NameFormat=ATTRIBUTE_NAME_FORMAT_URI)
        for item in items:
            etree.SubElement(attribute, saml + "AttributeValue").text = item


def _new_id() -> str:
    """SAML IDs are xs:ID values: they must not start with a digit."""
    return "_" + secrets.token_hex(20)


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
