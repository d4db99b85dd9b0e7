"""SAML metadata checks made before CreateSAMLProvider: what IAM refuses, in AWS's words plus the reason."""
from __future__ import annotations

import base64

import pytest

from console.services.providers import (
    METADATA_TOO_LONG,
    METADATA_TOO_SHORT,
    METADATA_UNPARSABLE,
    WHY_BAD_CERTIFICATE,
    WHY_DTD,
    WHY_NO_CERTIFICATE,
    WHY_NO_ENTITY_ID,
    WHY_NO_IDP,
    InvalidSamlMetadata,
    saml_metadata_check,
)
from sandbox.errors import ValidationError
from tests.console.provider_helpers import saml_metadata


def _refusal(document: str) -> InvalidSamlMetadata:
    with pytest.raises(InvalidSamlMetadata) as raised:
        saml_metadata_check(document)
    return raised.value


class SamlMetadataCheckTests:
    def test_good_metadata_gives_the_issuer_endpoints_and_certificate(self):
        metadata = saml_metadata_check(saml_metadata(entity_id="https://idp.example.org/saml"))
        assert metadata.entity_id == "https://idp.example.org/saml"
        assert ("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                "https://idp.example.org/idp/profile/SAML2/POST/SSO") in metadata.sso_locations
        assert metadata.certificates[0].subject == "CN=idp.example.org"
        assert len(metadata.certificates[0].sha1_fingerprint) == 40

    def test_a_key_without_use_counts_as_a_signing_key(self):
        document = saml_metadata().replace(' use="signing"', "")
        assert len(saml_metadata_check(document).certificates) == 1

    def test_too_short_is_iams_length_validation_error(self):
        with pytest.raises(ValidationError) as raised:
            saml_metadata_check("<md:EntityDescriptor/>")
        assert raised.value.message == METADATA_TOO_SHORT
        assert raised.value.code == "ValidationError"

    def test_too_long_is_iams_length_validation_error(self):
        with pytest.raises(ValidationError) as raised:
            saml_metadata_check("x" * 10_000_001)
        assert raised.value.message == METADATA_TOO_LONG

    def test_not_xml_is_refused_with_invalid_input(self):
        refusal = _refusal("this is not XML at all. " * 50)
        assert (refusal.code, refusal.message) == ("InvalidInput", METADATA_UNPARSABLE)
        assert refusal.why.startswith("the document is not well-formed XML")

    def test_a_dtd_is_refused_before_parsing(self):
        document = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + saml_metadata().split("?>", 1)[1]
        assert _refusal(document).why == WHY_DTD

    def test_a_service_provider_is_not_an_identity_provider(self):
        assert _refusal(saml_metadata(idp=False)).why == WHY_NO_IDP

    def test_missing_entity_id_is_refused(self):
        document = saml_metadata().replace('entityID="https://idp.example.org/saml"', "")
        assert _refusal(document).why == WHY_NO_ENTITY_ID

    def test_no_certificate_is_refused(self):
        assert _refusal(saml_metadata(with_key=False)).why == WHY_NO_CERTIFICATE

    def test_an_encryption_key_alone_is_not_enough(self):
        assert _refusal(saml_metadata(key_use="encryption")).why == WHY_NO_CERTIFICATE

    def test_a_certificate_that_is_not_base64_is_refused(self):
        refusal = _refusal(saml_metadata(certificate="not*base64*at*all"))
        assert refusal.why.startswith(WHY_BAD_CERTIFICATE.split("{", 1)[0].format())

    def test_base64_that_is_not_a_certificate_is_refused(self):
        bogus = base64.b64encode(b"definitely not DER" * 20).decode()
        assert "could not be read as an X.509 certificate" in _refusal(saml_metadata(certificate=bogus)).why

    def test_another_root_element_is_named_in_the_reason(self):
        document = saml_metadata().replace("md:EntityDescriptor", "md:Something")
        assert "`Something`" in _refusal(document).why
