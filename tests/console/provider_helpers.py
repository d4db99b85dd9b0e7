"""SAML metadata documents for tests: a real self-signed signing certificate, or deliberately broken variants."""
from __future__ import annotations

import base64
import datetime
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
OIDC_URL = "https://token.actions.githubusercontent.com"
THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"


@lru_cache(maxsize=1)
def certificate_base64(common_name: str = "idp.example.org") -> str:
    """A self-signed X.509 certificate (base64 DER), as an IdP's metadata carries it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def saml_metadata(*, entity_id: str = "https://idp.example.org/saml", certificate: str | None = None,
                  idp: bool = True, key_use: str = "signing", with_key: bool = True) -> str:
    """IdP metadata as Shibboleth or AD FS would publish it (long enough for IAM's 1,000-character minimum)."""
    cert = certificate if certificate is not None else certificate_base64()
    key = (
        f'<md:KeyDescriptor use="{key_use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}'
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    ) if with_key else ""
    descriptor = "IDPSSODescriptor" if idp else "SPSSODescriptor"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" '
        f'entityID="{entity_id}">\n'
        f'  <md:{descriptor} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"\n    {key}\n"
        '    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\n'
        '    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example.org/idp/profile/SAML2/Redirect/SSO"/>\n'
        '    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        'Location="https://idp.example.org/idp/profile/SAML2/POST/SSO"/>\n'
        f"  </md:{descriptor}>\n"
        '  <md:Organization><md:OrganizationName xml:lang="en">Example University</md:OrganizationName>'
        '<md:OrganizationDisplayName xml:lang="en">Example University</md:OrganizationDisplayName>'
        '<md:OrganizationURL xml:lang="en">https://www.example.org/</md:OrganizationURL></md:Organization>\n'
        + "  <!-- " + "padding " * 60 + "-->\n"
        + "</md:EntityDescriptor>\n"
    )
