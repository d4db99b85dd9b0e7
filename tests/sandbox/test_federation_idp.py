"""The training IdP on its own: keys, metadata, signed SAML responses and ID tokens verify with standard libraries."""
from __future__ import annotations

import base64
from datetime import timedelta

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from lxml import etree
from signxml import XMLVerifier

from sandbox.clock import clock_advance
from sandbox.federation import issue, oidc_idp, saml_idp, selectors, services
from sandbox.federation.issuers import PROFILES, Issuer, profile_for_url, training_issuer_base
from sandbox.federation.keys import public_jwk
from sandbox.learners import learner_create
from sandbox.models import Sandbox
from sandbox.sts import saml_assertion

pytestmark = pytest.mark.django_db

ROLE = "arn:aws:iam::111122223333:role/Developers"
PROVIDER = "arn:aws:iam::111122223333:saml-provider/CorpIdP"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.objects.get(owner__username=learner_create(username="erin").username)


@pytest.fixture
def alice(sandbox):
    services.role_mapping_create(sandbox=sandbox, group="developers", role_arn=ROLE, provider_arn=PROVIDER)
    return services.directory_user_create(
        sandbox=sandbox, name="alice", email="alice@corp.example", groups=["developers", "everyone"],
        session_tags={"Project": "Phoenix"}, transitive_tag_keys=["Project"],
    )


def signed_assertion(xml: bytes):
    return etree.fromstring(xml).find("saml:Assertion", saml_assertion.NAMESPACES)


class ProviderTests:
    def test_one_provider_per_sandbox(self, sandbox):
        first = services.identity_provider_get_or_create(sandbox=sandbox)
        assert services.identity_provider_get_or_create(sandbox=sandbox).pk == first.pk

    def test_keys_are_made_once_per_issuer_and_differ_between_issuers(self, sandbox):
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        saml_key = services.signing_key_get_or_create(provider=provider, issuer=Issuer.SAML)
        github_key = services.signing_key_get_or_create(provider=provider, issuer=Issuer.GITHUB)
        assert services.signing_key_get_or_create(provider=provider, issuer=Issuer.SAML).pk == saml_key.pk
        assert saml_key.kid != github_key.kid

    def test_two_sandboxes_never_share_a_key(self, sandbox):
        other = Sandbox.objects.get(owner__username=learner_create(username="frank").username)
        kids = {
            services.signing_key_get_or_create(
                provider=services.identity_provider_get_or_create(sandbox=box), issuer=Issuer.GITHUB).kid
            for box in (sandbox, other)
        }
        assert len(kids) == 2


class DirectoryTests:
    def test_the_roles_of_a_user_come_from_their_groups(self, alice):
        [pair] = selectors.directory_user_roles(user=alice)
        assert (pair.role_arn, pair.provider_arn, pair.group, pair.attribute_value) == (
            ROLE, PROVIDER, "developers", f"{ROLE},{PROVIDER}")

    def test_a_user_name_with_a_space_is_refused(self, sandbox):
        with pytest.raises(services.FederationError, match="directory user name"):
            services.directory_user_create(sandbox=sandbox, name="Alice Smith")

    def test_a_second_user_of_the_same_name_is_refused(self, sandbox, alice):
        with pytest.raises(services.FederationError, match="already has a user `alice`"):
            services.directory_user_create(sandbox=sandbox, name="alice")

    @pytest.mark.parametrize(("role_arn", "provider_arn"), [
        ("arn:aws:iam::111122223333:user/x", PROVIDER), (ROLE, "arn:aws:iam::111122223333:oidc-provider/x"),
    ])
    def test_a_mapping_needs_a_role_and_a_saml_provider(self, sandbox, role_arn, provider_arn):
        with pytest.raises(services.FederationError):
            services.role_mapping_create(sandbox=sandbox, group="g", role_arn=role_arn, provider_arn=provider_arn)

    def test_an_assertion_for_an_unmapped_role_is_refused(self, alice):
        with pytest.raises(issue.NotEntitled, match="not entitled"):
            issue.saml_assertion_issue(user=alice, role_arn="arn:aws:iam::111122223333:role/Admin")

    def test_a_user_without_roles_gets_no_assertion(self, sandbox):
        loner = services.directory_user_create(sandbox=sandbox, name="loner")
        with pytest.raises(issue.NotEntitled, match="no group"):
            issue.saml_assertion_issue(user=loner)


    def test_a_lab_can_declare_the_directory_twice(self, sandbox):
        declared = {
            "users": [{"name": "bob", "email": "bob@corp.example", "groups": ["ops"]}],
            "mappings": [{"group": "ops", "role_arn": ROLE, "provider_arn": PROVIDER}],
        }
        services.directory_apply(sandbox=sandbox, **declared)
        services.directory_apply(sandbox=sandbox, **declared)
        [bob] = selectors.directory_user_list(sandbox=sandbox)
        assert [pair.role_arn for pair in selectors.directory_user_roles(user=bob)] == [ROLE]


class MetadataTests:
    def test_the_metadata_names_the_entity_and_the_signing_certificate(self, sandbox):
        metadata = issue.saml_metadata_get(sandbox=sandbox, sso_url="https://portal.example/sso")
        parsed = saml_assertion.metadata_parse(metadata.decode())
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        key = services.signing_key_get_or_create(provider=provider, issuer=Issuer.SAML)
        assert parsed.entity_id == "https://idp.training.example/saml"
        assert [cert.fingerprint(hashes.SHA256()) for cert in parsed.certificates] == [
            x509.load_pem_x509_certificate(key.certificate_pem.encode()).fingerprint(hashes.SHA256())]


class SamlResponseTests:
    def test_the_response_verifies_with_the_metadata_certificate(self, sandbox, alice):
        issued = issue.saml_assertion_issue(user=alice)
        certificate = saml_assertion.metadata_parse(
            issue.saml_metadata_get(sandbox=sandbox, sso_url="https://x.example/sso").decode()).certificates[0]
        result = XMLVerifier().verify(issued.xml, x509_cert=certificate)
        assert result.signed_xml.tag == f"{{{saml_idp.SAML_NS}}}Assertion"

    def test_the_response_is_addressed_to_aws_sign_in(self, alice):
        assertion = signed_assertion(issue.saml_assertion_issue(user=alice).xml)
        ns = saml_assertion.NAMESPACES
        data = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", ns)
        audience = assertion.findtext("saml:Conditions/saml:AudienceRestriction/saml:Audience", namespaces=ns)
        assert (data.get("Recipient"), audience) == ("https://signin.aws.amazon.com/saml", "urn:amazon:webservices")

    def test_the_attributes_carry_role_session_name_and_tags(self, alice):
        issued = issue.saml_assertion_issue(user=alice)
        read = saml_assertion._read(signed_assertion(issued.xml))
        assert read.attribute(saml_idp.ROLE_ATTRIBUTE) == (f"{ROLE},{PROVIDER}",)
        assert read.attribute(saml_idp.ROLE_SESSION_NAME_ATTRIBUTE) == ("alice@corp.example",)
        assert read.attribute(saml_idp.PRINCIPAL_TAG_PREFIX + "Project") == ("Phoenix",)
        assert read.attribute(saml_idp.TRANSITIVE_TAG_KEYS_ATTRIBUTE) == ("Project",)

    def test_the_times_follow_the_sandbox_clock(self, sandbox, alice):
        clock_advance(sandbox, 3 * 3600)
        read = saml_assertion._read(signed_assertion(issue.saml_assertion_issue(user=alice).xml))
        assert read.not_on_or_after - read.issue_instant == timedelta(minutes=5)
        assert read.issue_instant > issue.real_now() + timedelta(hours=2)

    def test_the_session_duration_attribute_comes_from_the_provider(self, sandbox, alice):
        services.identity_provider_session_duration_set(sandbox=sandbox, seconds=7200)
        read = saml_assertion._read(signed_assertion(issue.saml_assertion_issue(user=alice).xml))
        assert read.attribute(saml_idp.SESSION_DURATION_ATTRIBUTE) == ("7200",)

    def test_the_encoded_form_is_the_base64_of_the_xml(self, alice):
        issued = issue.saml_assertion_issue(user=alice)
        assert base64.b64decode(issued.encoded) == issued.xml


class IdTokenTests:
    def jwks(self, sandbox, issuer: Issuer):
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        key = services.signing_key_get_or_create(provider=provider, issuer=issuer)
        return jwt.PyJWKSet.from_dict(oidc_idp.jwks_document(keys=[key]))

    def test_a_github_token_verifies_with_the_jwks_and_has_githubs_shape(self, sandbox):
        token = issue.id_token_issue(sandbox=sandbox, request=oidc_idp.TokenRequest(
            issuer=Issuer.GITHUB, repository="acme/app", ref="refs/heads/main"))
        key = self.jwks(sandbox, Issuer.GITHUB)[jwt.get_unverified_header(token)["kid"]]
        claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="sts.amazonaws.com")
        assert (claims["iss"], claims["sub"], claims["repository_owner"]) == (
            "https://token.actions.githubusercontent.com", "repo:acme/app:ref:refs/heads/main", "acme")
        assert claims["exp"] - claims["iat"] == 300

    def test_a_token_does_not_verify_with_another_issuers_keys(self, sandbox):
        token = issue.id_token_issue(sandbox=sandbox, request=oidc_idp.TokenRequest(issuer=Issuer.GITHUB))
        google = self.jwks(sandbox, Issuer.GOOGLE).keys[0]
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, google.key, algorithms=["RS256"], options={"verify_aud": False})

    def test_the_training_token_carries_amr_and_the_aws_tags_claim(self, sandbox, alice):
        token = issue.id_token_issue(sandbox=sandbox, request=oidc_idp.TokenRequest(issuer=Issuer.TRAINING, user=alice))
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["amr"] == ["pwd"]
        assert claims[oidc_idp.TAGS_CLAIM] == {"principal_tags": {"Project": ["Phoenix"]},
                                               "transitive_tag_keys": ["Project"]}
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        assert claims["iss"] == f"{training_issuer_base()}/{provider.key}"

    def test_cognito_guests_are_unauthenticated(self, sandbox, alice):
        token = issue.id_token_issue(sandbox=sandbox, request=oidc_idp.TokenRequest(
            issuer=Issuer.COGNITO, user=alice, authenticated=False))
        assert jwt.decode(token, options={"verify_signature": False})["amr"] == ["unauthenticated"]

    def test_google_tokens_name_the_app_in_azp(self, sandbox, alice):
        token = issue.id_token_issue(sandbox=sandbox, request=oidc_idp.TokenRequest(issuer=Issuer.GOOGLE, user=alice))
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["azp"] == claims["aud"] == PROFILES[Issuer.GOOGLE].default_audience
        assert claims["sub"].isdigit() and len(claims["sub"]) == 21

    def test_sts_finds_the_keys_of_the_sandboxs_own_issuer(self, sandbox):
        token = issue.id_token_issue(sandbox=sandbox, request=oidc_idp.TokenRequest(issuer=Issuer.GITHUB))
        account = sandbox.accounts.get(is_home=True).account_id
        keys = selectors.oidc_verification_keys(account_id=account, issuer_url=PROFILES[Issuer.GITHUB].url(""))
        assert list(keys) == [jwt.get_unverified_header(token)["kid"]]

    def test_an_issuer_the_idp_does_not_play_has_no_keys(self, sandbox):
        account = sandbox.accounts.get(is_home=True).account_id
        assert selectors.oidc_verification_keys(account_id=account, issuer_url="https://login.example.com") is None

    def test_the_public_jwk_carries_the_certificate(self, sandbox):
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        key = services.signing_key_get_or_create(provider=provider, issuer=Issuer.TRAINING)
        jwk = public_jwk(key.certificate_pem, key.kid)
        assert (jwk["kty"], jwk["alg"], jwk["kid"], len(jwk["x5c"])) == ("RSA", "RS256", key.kid, 1)

    def test_issuer_urls_map_back_to_profiles(self, sandbox):
        provider = services.identity_provider_get_or_create(sandbox=sandbox)
        training = profile_for_url(f"{training_issuer_base()}/{provider.key}", provider.key)
        assert training is not None and training.issuer is Issuer.TRAINING
        assert profile_for_url("https://accounts.google.com/", provider.key).issuer is Issuer.GOOGLE
