"""AssumeRoleWithSAML through the `/aws/` endpoint, unsigned as AWS serves it, with assertions of the training IdP.

Rules cited as "ref 4.1" are sections of /work/shared/reference/aws-iam-sts.md. Each test signs in a directory user
of the learner's training IdP, as the corporate portal does, and hands the SAML response to STS with boto3.
"""
from __future__ import annotations

import base64
import hashlib
import json

import botocore
import pytest
from botocore.exceptions import ClientError

from sandbox.federation import issue, saml_idp, services
from sandbox.federation.keys import key_material_create
from sandbox.learners import learner_create
from sandbox.models import IdentityProvider, IdpSigningKey
from sandbox.sts import assume_role_saml, saml_assertion
from tests.sts.conftest import Keys, allow, error, policy, status
from tests.sts.test_aws_cli import run_aws

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "SamlDeveloperRole"
PROVIDER = "CorpIdP"
SIGNIN = "https://signin.aws.amazon.com/saml"
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithSAML"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def federated(provider_arn: str, actions: str | list[str] = "sts:AssumeRoleWithSAML", condition=None) -> dict:
    statement = {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": actions}
    statement["Condition"] = condition if condition is not None else {"StringEquals": {"SAML:aud": SIGNIN}}
    return statement


class Corp:
    """The learner's company: the training IdP registered in IAM as `CorpIdP`, a developer role, and alice."""

    def __init__(self, world) -> None:
        self.world = world
        self.sandbox = world.sandbox()
        self.provider_arn = f"arn:aws:iam::{world.account}:saml-provider/{PROVIDER}"
        metadata = issue.saml_metadata_get(sandbox=self.sandbox, sso_url="https://portal.corp.example/sso")
        world.iam.create_saml_provider(Name=PROVIDER, SAMLMetadataDocument=metadata.decode())
        self.role_arn = self.role(ROLE, federated(self.provider_arn))
        services.role_mapping_create(
            sandbox=self.sandbox, group="developers", role_arn=self.role_arn, provider_arn=self.provider_arn
        )
        self.alice = services.directory_user_create(
            sandbox=self.sandbox, name="alice", email="alice@corp.example", groups=["developers"]
        )

    def role(self, name: str, *trust: dict) -> str:
        return self.world.role(name, *trust, managed=(READ_ONLY,))

    def assertion(self, user=None, **options) -> str:
        """A signed SAML response (base64) for `user` (alice) offering their mapped roles, or `role_values`."""
        chosen = saml_idp.AssertionOptions(role_values=options.pop("role_values", ()), **options)
        return issue.saml_assertion_issue(user=user or self.alice, options=chosen).encoded

    def sts(self):
        """An STS client that signs nothing, like `aws sts assume-role-with-saml` (no credentials at all)."""
        return self.world.client("sts", Keys("unused", "unused"), signature_version=botocore.UNSIGNED)

    def assume(self, assertion: str | None = None, role_arn: str | None = None, **params) -> dict:
        return self.sts().assume_role_with_saml(
            RoleArn=role_arn or self.role_arn, PrincipalArn=params.pop("PrincipalArn", self.provider_arn),
            SAMLAssertion=assertion or self.assertion(), **params,
        )


@pytest.fixture
def corp(world) -> Corp:
    return Corp(world)


def tampered(assertion: str, old: bytes, new: bytes) -> str:
    xml = base64.b64decode(assertion)
    assert old in xml
    return base64.b64encode(xml.replace(old, new)).decode()


def refused(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return error(raised)


class ValidAssertionTests:
    def test_a_valid_assertion_gets_a_session_of_the_role(self, world, corp):
        """Ref 4.1: the session is `assumed-role/ROLE/<RoleSessionName attribute>` with ASIA keys."""
        answer = corp.assume()
        assert answer["AssumedRoleUser"]["Arn"] == world.session_arn(ROLE, "alice@corp.example")
        assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")

    def test_the_answer_names_subject_issuer_audience_and_name_qualifier(self, world, corp):
        """Ref 4.1: Audience is the Recipient; NameQualifier = BASE64(SHA1(Issuer + AccountId + "/" + Name))."""
        answer = corp.assume()
        text = f"https://idp.training.example/saml{world.account}/{PROVIDER}"
        digest = hashlib.sha1(text.encode(), usedforsecurity=False).digest()
        assert (answer["Issuer"], answer["Audience"], answer["SubjectType"], answer["NameQualifier"]) == (
            "https://idp.training.example/saml", SIGNIN, "persistent", base64.b64encode(digest).decode())
        assert answer["Subject"] == saml_idp.name_id_value(corp.alice, saml_idp.NameIdFormat.PERSISTENT)

    def test_a_transient_name_id_is_answered_as_transient(self, corp):
        answer = corp.assume(corp.assertion(name_id_format=saml_idp.NameIdFormat.TRANSIENT))
        assert answer["SubjectType"] == "transient"

    def test_the_credentials_act_as_the_role_session(self, world, corp):
        keys = Keys.of(corp.assume())
        identity = world.client("sts", keys).get_caller_identity()
        assert identity["Arn"] == world.session_arn(ROLE, "alice@corp.example")

    def test_the_credentials_are_limited_by_the_roles_policies(self, world, corp):
        """ReadOnlyAccess: reading IAM works, creating a user does not."""
        iam = world.client("iam", Keys.of(corp.assume()))
        assert any(role["RoleName"] == ROLE for role in iam.list_roles()["Roles"])
        with pytest.raises(ClientError) as raised:
            iam.create_user(UserName="intruder")
        assert error(raised)[0] == "AccessDenied"

    def test_the_default_session_lasts_an_hour_and_session_duration_shortens_it(self, world, corp):
        """Ref 4.1: session = min(DurationSeconds (1 h), SessionDuration attribute)."""
        from sandbox.models import StsSession

        answer = corp.assume(corp.assertion(session_duration=900))
        session = StsSession.objects.get(access_key_id=answer["Credentials"]["AccessKeyId"])
        assert (session.expires_at - session.issued_at).total_seconds() == 900

    def test_a_signed_call_is_served_too(self, world, corp):
        """The signer plays no part: the assertion is the proof."""
        answer = world.sts.assume_role_with_saml(
            RoleArn=corp.role_arn, PrincipalArn=corp.provider_arn, SAMLAssertion=corp.assertion()
        )
        assert answer["AssumedRoleUser"]["Arn"] == world.session_arn(ROLE, "alice@corp.example")


class SignatureTests:
    def test_an_attribute_changed_after_signing_breaks_the_signature(self, corp):
        """Ref 4.1: `Response signature invalid` (400, InvalidIdentityToken)."""
        forged = tampered(corp.assertion(), b">alice@corp.example<", b">mallory@corp.example<")
        assert refused(lambda: corp.assume(forged)) == ("InvalidIdentityToken", "Response signature invalid")

    def test_a_role_added_after_signing_breaks_the_signature(self, world, corp):
        admin = corp.role("Admin", federated(corp.provider_arn))
        forged = tampered(corp.assertion(), corp.role_arn.encode() + b",", admin.encode() + b",")
        code, message = refused(lambda: corp.assume(forged, role_arn=admin))
        assert (code, message) == ("InvalidIdentityToken", "Response signature invalid")

    def test_the_status_is_400(self, corp):
        forged = tampered(corp.assertion(), b">alice@corp.example<", b">mallory@corp.example<")
        with pytest.raises(ClientError) as raised:
            corp.assume(forged)
        assert status(raised) == 400

    def test_a_provider_whose_metadata_holds_another_certificate_refuses_the_assertion(self, world, corp):
        """The IAM provider's metadata, not the assertion's own KeyInfo, says which key may sign."""
        other = key_material_create(common_name="impostor")
        provider = IdentityProvider.objects.get(sandbox=corp.sandbox)
        stranger = IdpSigningKey(provider=provider, issuer="saml", kid=other.kid,
                                 private_key_pem=other.private_key_pem, certificate_pem=other.certificate_pem)
        metadata = saml_idp.saml_metadata_xml(provider=provider, key=stranger, sso_url="https://x.example/sso")
        world.iam.update_saml_provider(SAMLProviderArn=corp.provider_arn, SAMLMetadataDocument=metadata.decode())
        assert refused(corp.assume) == ("InvalidIdentityToken", "Response signature invalid")

    def test_another_learners_idp_cannot_sign_for_this_provider(self, live_server, world, corp):
        """Keys are per sandbox: the same entity ID of another learner's IdP does not verify here."""
        from tests.sts.conftest import World

        other = World(live_server, learner_create(username="dave"))
        mallory = services.directory_user_create(sandbox=other.sandbox(), name="mallory", groups=["x"])
        forged = issue.saml_assertion_issue(user=mallory, options=saml_idp.AssertionOptions(
            role_values=(f"{corp.role_arn},{corp.provider_arn}",), session_name="mallory")).encoded
        assert refused(lambda: corp.assume(forged)) == ("InvalidIdentityToken", "Response signature invalid")

    def test_an_issuer_other_than_the_metadatas_entity_id_is_refused(self, world, corp):
        metadata = issue.saml_metadata_get(sandbox=corp.sandbox, sso_url="https://x.example/sso").replace(
            b'entityID="https://idp.training.example/saml"', b'entityID="https://other.example/saml"')
        world.iam.update_saml_provider(SAMLProviderArn=corp.provider_arn, SAMLMetadataDocument=metadata.decode())
        code, message = refused(corp.assume)
        assert (code, message) == ("InvalidIdentityToken", assume_role_saml.ISSUER_NOT_IN_PROVIDER)

    def test_a_wrapped_unsigned_assertion_is_never_read(self, corp):
        """Signature wrapping: an unsigned copy offering another role, put before the signed assertion, gets
        nowhere, because only the element the signature covers is read."""
        admin = corp.role("Admin", federated(corp.provider_arn))
        xml = base64.b64decode(corp.assertion())
        start, end = xml.index(b"<saml:Assertion"), xml.index(b"</saml:Assertion>") + len(b"</saml:Assertion>")
        signed = xml[start:end]
        copy = signed[:signed.index(b"<ds:Signature")] + signed[signed.index(b"</ds:Signature>") + 15:]
        forged = xml[:start] + copy.replace(corp.role_arn.encode(), admin.encode()) + xml[start:]
        code, _ = refused(lambda: corp.assume(base64.b64encode(forged).decode(), role_arn=admin))
        assert code in ("InvalidIdentityToken", "AccessDenied")

    def test_a_response_whose_status_is_not_success_is_an_idp_rejected_claim(self, corp):
        """Ref 1.6: IDPRejectedClaim (403): the IdP reported that authentication failed."""
        rejected = tampered(corp.assertion(), b"status:Success", b"status:Requester")
        with pytest.raises(ClientError) as raised:
            corp.assume(rejected)
        assert (error(raised)[0], status(raised)) == ("IDPRejectedClaim", 403)

    def test_something_that_is_not_a_saml_response_is_refused(self, corp):
        code, message = refused(lambda: corp.assume(base64.b64encode(b"hello world").decode()))
        assert (code, message) == ("InvalidIdentityToken", saml_assertion.NOT_A_RESPONSE)


class AddressingTests:
    def test_a_response_for_another_service_provider_is_refused(self, corp):
        assertion = corp.assertion(recipient="https://apps.example.com/saml/acs")
        code, message = refused(lambda: corp.assume(assertion))
        assert (code, message) == ("InvalidIdentityToken", assume_role_saml.WRONG_RECIPIENT)

    def test_an_assertion_without_the_aws_audience_is_refused(self, corp):
        """Ref 4.1: `Response does not contain the required audience.`"""
        assertion = corp.assertion(audience="https://apps.example.com")
        code, message = refused(lambda: corp.assume(assertion))
        assert (code, message) == ("InvalidIdentityToken", "Response does not contain the required audience.")

    def test_the_sign_in_url_is_an_accepted_audience_too(self, corp):
        assert corp.assume(corp.assertion(audience=SIGNIN))["Audience"] == SIGNIN

    def test_a_regional_recipient_is_refused_by_a_trust_policy_naming_the_global_endpoint(self, corp):
        """SAML:aud is the Recipient: the trust policy decides which AWS endpoint it accepts."""
        assertion = corp.assertion(recipient="https://us-east-2.signin.aws.amazon.com/saml")
        assert refused(lambda: corp.assume(assertion)) == ("AccessDenied", NOT_AUTHORIZED)

    def test_a_regional_recipient_is_allowed_when_the_trust_policy_lists_it(self, world, corp):
        regional = "https://us-east-2.signin.aws.amazon.com/saml"
        role = corp.role("Regional", federated(corp.provider_arn, condition={
            "StringEquals": {"SAML:aud": [SIGNIN, regional]}}))
        assertion = corp.assertion(recipient=regional, role_values=(f"{role},{corp.provider_arn}",))
        assert corp.assume(assertion, role_arn=role)["Audience"] == regional


class TimeTests:
    def test_an_expired_assertion_is_refused(self, world, corp):
        """The assertion's NotOnOrAfter is checked on the sandbox clock: `ExpiredTokenException`."""
        assertion = corp.assertion()
        world.advance(6 * 60)
        code, message = refused(lambda: corp.assume(assertion))
        assert (code, message) == ("ExpiredTokenException", "Response has expired")

    def test_an_assertion_is_good_within_its_five_minutes(self, world, corp):
        assertion = corp.assertion()
        world.advance(4 * 60)
        assert corp.assume(assertion)["AssumedRoleUser"]["Arn"].endswith("/alice@corp.example")


class RoleAttributeTests:
    def test_a_role_the_assertion_does_not_offer_is_refused(self, world, corp):
        """Ref 4.1: the RoleArn/PrincipalArn pair must be in the Role attribute; otherwise AccessDenied."""
        other = corp.role("Other", federated(corp.provider_arn))
        assert refused(lambda: corp.assume(role_arn=other)) == ("AccessDenied", NOT_AUTHORIZED)

    def test_a_pair_written_provider_first_is_accepted(self, world, corp):
        assertion = corp.assertion(role_values=(f"{corp.provider_arn},{corp.role_arn}",))
        assert corp.assume(assertion)["AssumedRoleUser"]["Arn"].endswith("/alice@corp.example")

    def test_the_user_offered_two_roles_can_take_either(self, world, corp):
        auditor = corp.role("Auditor", federated(corp.provider_arn))
        services.role_mapping_create(
            sandbox=corp.sandbox, group="developers", role_arn=auditor, provider_arn=corp.provider_arn
        )
        assertion = corp.assertion()
        assert corp.assume(assertion, role_arn=auditor)["AssumedRoleUser"]["Arn"] == world.session_arn(
            "Auditor", "alice@corp.example")

    def test_a_role_that_does_not_exist_is_refused_like_an_untrusting_one(self, world, corp):
        missing = world.role_arn("Missing")
        assertion = corp.assertion(role_values=(f"{missing},{corp.provider_arn}",))
        assert refused(lambda: corp.assume(assertion, role_arn=missing)) == ("AccessDenied", NOT_AUTHORIZED)

    def test_a_session_name_attribute_must_match_the_pattern(self, corp):
        """Ref 4.1: `RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}`."""
        assertion = corp.assertion(session_name="x")
        code, message = refused(lambda: corp.assume(assertion))
        assert (code, message) == ("InvalidIdentityToken", assume_role_saml.SESSION_NAME_INVALID)


class ProviderTests:
    def test_a_provider_that_does_not_exist_is_refused(self, world, corp):
        missing = f"arn:aws:iam::{world.account}:saml-provider/Nobody"
        code, message = refused(lambda: corp.assume(PrincipalArn=missing))
        assert (code, message) == ("InvalidIdentityToken", assume_role_saml.NO_PROVIDER.format(arn=missing))

    def test_a_principal_arn_that_is_no_saml_provider_is_a_validation_error(self, world, corp):
        code, message = refused(lambda: corp.assume(PrincipalArn=corp.role_arn))
        assert (code, message) == ("ValidationError", "Principal ARN is invalid")

    def test_a_trust_policy_naming_another_provider_refuses(self, world, corp):
        other = corp.role("OtherIdP", federated(f"arn:aws:iam::{world.account}:saml-provider/Okta"))
        assertion = corp.assertion(role_values=(f"{other},{corp.provider_arn}",))
        assert refused(lambda: corp.assume(assertion, role_arn=other)) == ("AccessDenied", NOT_AUTHORIZED)


class TrustConditionTests:
    def test_a_condition_on_saml_sub_type_and_iss_matches(self, world, corp):
        role = corp.role("Conditions", federated(corp.provider_arn, condition={"StringEquals": {
            "SAML:aud": SIGNIN, "SAML:sub_type": "persistent", "SAML:iss": "https://idp.training.example/saml",
            "SAML:doc": f"{world.account}/{PROVIDER}"}}))
        assertion = corp.assertion(role_values=(f"{role},{corp.provider_arn}",))
        assert corp.assume(assertion, role_arn=role)["SubjectType"] == "persistent"

    def test_a_condition_on_another_saml_sub_refuses(self, world, corp):
        role = corp.role("OnlyBob", federated(corp.provider_arn, condition={"StringEquals": {"SAML:sub": "bob"}}))
        assertion = corp.assertion(role_values=(f"{role},{corp.provider_arn}",))
        assert refused(lambda: corp.assume(assertion, role_arn=role)) == ("AccessDenied", NOT_AUTHORIZED)

    def test_eduperson_affiliation_is_a_multivalued_key(self, world, corp):
        role = corp.role("Staff", federated(corp.provider_arn, condition={
            "ForAnyValue:StringEquals": {"SAML:edupersonaffiliation": "staff"}}))
        staff = services.directory_user_create(sandbox=corp.sandbox, name="sam", groups=["developers"],
                                               attributes={"urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["member", "staff"]})
        assertion = corp.assertion(staff, role_values=(f"{role},{corp.provider_arn}",))
        assert corp.assume(assertion, role_arn=role)["AssumedRoleUser"]["Arn"] == world.session_arn("Staff", "sam")


class SessionTagTests:
    def tagged(self, corp):
        return services.directory_user_create(
            sandbox=corp.sandbox, name="tina", groups=["developers"], session_tags={"Project": "Phoenix"},
            transitive_tag_keys=["Project"],
        )

    def test_principal_tags_without_sts_tag_session_are_refused(self, corp):
        """Ref 2.3: every role trusting an IdP that passes tags must allow sts:TagSession."""
        assertion = corp.assertion(self.tagged(corp))
        code, message = refused(lambda: corp.assume(assertion))
        assert (code, message) == ("AccessDenied", "Not authorized to perform sts:TagSession")

    def test_principal_tags_with_sts_tag_session_tag_the_session(self, world, corp):
        role = corp.role("Tagged", federated(corp.provider_arn, ["sts:AssumeRoleWithSAML", "sts:TagSession"]))
        world.iam.put_role_policy(RoleName="Tagged", PolicyName="abac", PolicyDocument=policy(allow(
            "iam:ListUsers", condition={"StringEquals": {"aws:PrincipalTag/Project": "Phoenix"}})))
        assertion = corp.assertion(self.tagged(corp), role_values=(f"{role},{corp.provider_arn}",))
        answer = corp.assume(assertion, role_arn=role)
        assert answer["PackedPolicySize"] > 0
        assert "Users" in world.client("iam", Keys.of(answer)).list_users()


class EventTests:
    def test_the_call_is_recorded_in_the_roles_account_as_a_saml_user(self, world, corp):
        """Ref 8.5: userIdentity SAMLUser, principalId `<nameQualifier>:<sub>`."""
        answer = corp.assume()
        [record] = world.events("AssumeRoleWithSAML")
        assert record["userIdentity"] == {
            "type": "SAMLUser", "principalId": f"{answer['NameQualifier']}:{answer['Subject']}",
            "userName": answer["Subject"], "identityProvider": answer["NameQualifier"],
        }

    def test_the_recorded_parameters_and_response(self, world, corp):
        corp.assume()
        [record] = world.events("AssumeRoleWithSAML")
        assert record["requestParameters"]["roleSessionName"] == "alice@corp.example"
        assert record["requestParameters"]["principalArn"] == corp.provider_arn
        assert record["responseElements"]["audience"] == SIGNIN
        assert "SAMLAssertion" not in json.dumps(record) and "sAMLAssertion\"" not in json.dumps(record)

    def test_a_refused_call_is_recorded_with_its_error(self, world, corp):
        forged = tampered(corp.assertion(), b">alice@corp.example<", b">mallory@corp.example<")
        with pytest.raises(ClientError):
            corp.assume(forged)
        [record] = world.events("AssumeRoleWithSAML")
        assert (record["errorCode"], record["errorMessage"]) == ("InvalidIdentityToken", "Response signature invalid")


class UnsignedEndpointTests:
    def test_other_sts_calls_still_need_a_signature(self, world):
        client = world.client("sts", Keys("unused", "unused"), signature_version=botocore.UNSIGNED)
        with pytest.raises(ClientError) as raised:
            client.get_caller_identity()
        assert error(raised)[0] == "MissingAuthenticationToken"

    def test_the_aws_cli_assumes_the_role_without_credentials(self, tmp_path, live_server, world, corp):
        (tmp_path / "assertion.txt").write_text(corp.assertion())
        done = run_aws(tmp_path, f"{live_server.url}/aws", "sts", "assume-role-with-saml", "--role-arn", corp.role_arn,
                       "--principal-arn", corp.provider_arn, "--saml-assertion", f"file://{tmp_path / 'assertion.txt'}")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["AssumedRoleUser"]["Arn"] == world.session_arn(ROLE, "alice@corp.example")
