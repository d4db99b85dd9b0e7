"""Signing keys of the training IdP: RSA key pairs, self-signed X.509 certificates and their JWK form."""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_SIZE = 2048
CERTIFICATE_YEARS = 10
ORGANIZATION = "IAM Training Corp"


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """A new key pair: the private key and a self-signed certificate (PEM), and the JWK key id."""

    private_key_pem: str
    certificate_pem: str
    kid: str


def key_material_create(*, common_name: str) -> KeyMaterial:
    """A 2048-bit RSA key and a ten-year self-signed certificate for `common_name`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
    ])
    start = datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return KeyMaterial(
        private_key_pem=private_pem,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        kid=jwk_thumbprint(key.public_key()),
    )


def private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the training IdP signs with RSA keys only")
    return key


def certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def certificate_base64(pem: str) -> str:
    """The certificate's DER in base64, as `ds:X509Certificate` carries it."""
    return base64.b64encode(certificate(pem).public_bytes(serialization.Encoding.DER)).decode()


def public_jwk(certificate_pem: str, kid: str) -> dict[str, Any]:
    """The public key as a JWKS entry (RFC 7517), with the certificate (`x5c`) as GitHub's and Google's carry it."""
    public = certificate(certificate_pem).public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise ValueError("the training IdP signs with RSA keys only")
    numbers = public.public_numbers()
    return {
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e),
        "x5c": [certificate_base64(certificate_pem)],
    }


def jwk_thumbprint(public: rsa.RSAPublicKey) -> str:
    """RFC 7638 thumbprint: SHA-256 over the canonical `{"e","kty","n"}` members, base64url."""
    numbers = public.public_numbers()
    canonical = json.dumps(
        {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}, separators=(",", ":"),
        sort_keys=True,
    )
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def _b64url_uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
