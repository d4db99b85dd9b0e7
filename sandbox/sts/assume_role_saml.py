"""AssumeRoleWithSAML with AWS's rules: the IAM SAML provider's metadata certificate verifies the response, the
assertion is addressed to AWS sign-in and still valid on the sandbox clock, pairs the role with the provider, and
the role's trust policy allows it with the `SAML:` keys.

https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
"""
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sandbox.authorize import CallOrigin
from sandbox.clock import sandbox_now
from sandbox.errors import ValidationError
from sandbox.models import Account
from sandbox.moto_store import account_reader
from sandbox.sts import saml_assertion
from sandbox.sts.assume_role import AssumedRole
from sandbox.sts.federation import (
    ExpiredTokenException,
    FederatedCaller,
    FederationTrail,
    InvalidIdentityToken,
    SessionRequest,
    assume_federated,
    caller_parameters,
    federated_role,
    not_authorized,
)
from sandbox.sts.params import validate
from sandbox.sts.saml_attributes import SAML_KEY_ATTRIBUTES

ACTION = "sts:AssumeRoleWithSAML"
ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
ROLE = ATTRIBUTES + "Role"
ROLE_SESSION_NAME = ATTRIBUTES + "RoleSessionName"
SESSION_DURATION = ATTRIBUTES + "SessionDuration"
SOURCE_IDENTITY = ATTRIBUTES + "SourceIdentity"
PRINCIPAL_TAG = ATTRIBUTES + "PrincipalTag:"
TRANSITIVE_TAG_KEYS = ATTRIBUTES + "TransitiveTagKeys"
# AWS sign-in's SAML endpoints: global, regional (https://us-east-2.signin.aws.amazon.com/saml) and /static/saml.
_AWS_ENDPOINT = re.compile(r"https://(?:[a-z]{2}(?:-[a-z]+)+-\d\.)?signin\.aws\.amazon\.com/(?:static/)?saml/?")
AWS_AUDIENCE = "urn:amazon:webservices"
REDEEM_WITHIN = timedelta(minutes=5)
DEFAULT_CONSOLE_SECONDS = 3600
_SESSION_NAME = re.compile(r"[a-zA-Z_0-9+=,.@-]{2,64}")

# AWS's texts (troubleshoot_saml.html and error answers quoted in public issues).
PRINCIPAL_ARN_INVALID = "Principal ARN is invalid"
ISSUER_NOT_IN_PROVIDER = "Issuer not present in specified provider"
NO_AUDIENCE = "Response does not contain the required audience."
EXPIRED = "Response has expired"
REDEEM_LATE = "Token must be redeemed within 5 minutes of issuance"
SESSION_NAME_MISSING = "RoleSessionName is required in AuthnResponse"
SESSION_NAME_INVALID = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
SOURCE_IDENTITY_INVALID = 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'
# Best guesses (no AWS text found): PrincipalArn names no SAML provider of the account, the assertion is not yet
# valid, it is addressed elsewhere than AWS sign-in, SessionDuration is out of range.
NO_PROVIDER = "No SAML provider found in your account for {arn}"
NOT_YET_VALID = "Response is not yet valid"
WRONG_RECIPIENT = "Response is not addressed to the AWS sign-in endpoint (SubjectConfirmationData Recipient)"
SESSION_DURATION_INVALID = "SessionDuration in AuthnResponse must be an integer from 900 to 43200"
_PROVIDER_ARN = re.compile(r"arn:aws:iam::(\d{12}):saml-provider/([\w.-]+)", re.ASCII)


@dataclass(frozen=True, slots=True)
class SamlAssumed:
    """What AssumeRoleWithSAML answers besides the session."""

    assumed: AssumedRole
    subject: str
    subject_type: str
    issuer: str
    audience: str
    name_qualifier: str

    def fields(self) -> dict[str, str]:
        """The answer's own elements, in AWS's names."""
        return {
            "Subject": self.subject, "SubjectType": self.subject_type, "Issuer": self.issuer,
            "Audience": self.audience, "NameQualifier": self.name_qualifier,
        }


def assume_role_with_saml(
    params: Mapping[str, Any], *, origin: CallOrigin | None = None, trail: FederationTrail | None = None,
    console: bool = False,
) -> SamlAssumed:
    """Check the assertion and the trust policy and issue the role session; raise an AwsError where AWS refuses.

    `console`: the sign-in endpoint's session (SAML console federation): it lasts the SessionDuration attribute
    (an hour without one), within the role's maximum, instead of DurationSeconds.
    """
    trail = trail or FederationTrail()
    validate("AssumeRoleWithSAML", params)
    request = SessionRequest.parse(params)
    principal_arn = str(params["PrincipalArn"])
    provider = _PROVIDER_ARN.fullmatch(principal_arn)
    if provider is None:
        raise ValidationError(PRINCIPAL_ARN_INVALID)
    role_account, role = federated_role(request.role_arn, trail)
    trail.request_parameters = {"roleArn": request.role_arn, "principalArn": principal_arn}
    metadata = _provider_metadata(role_account, provider.group(1), provider.group(2), principal_arn)
    assertion = saml_assertion.assertion_verify(saml_assertion.response_decode(str(params["SAMLAssertion"])), metadata)
    qualifier = name_qualifier(assertion.issuer, provider.group(1), provider.group(2))
    trail.user_identity = {
        "type": "SAMLUser", "principalId": f"{qualifier}:{assertion.subject}", "userName": assertion.subject,
        "identityProvider": qualifier,
    }
    if assertion.issuer != metadata.entity_id:
        raise InvalidIdentityToken(ISSUER_NOT_IN_PROVIDER)
    now = sandbox_now(role_account)
    _check_time(assertion, now)
    _check_addressed_to_aws(assertion)
    if not _pairs_role(assertion, request.role_arn, principal_arn):
        raise not_authorized(ACTION)
    caller = _caller(
        assertion, principal_arn=principal_arn, doc=f"{provider.group(1)}/{provider.group(2)}", qualifier=qualifier,
        user_identity=trail.user_identity,
    )
    trail.request_parameters.update(_recorded(assertion, caller, params))
    cap = _cap(assertion, now)
    if console:
        duration = min(cap or DEFAULT_CONSOLE_SECONDS, role.max_session_duration if role else DEFAULT_CONSOLE_SECONDS)
        request, cap = replace(request, duration=duration), _session_end(assertion, now)
    assumed = assume_federated(caller, role, request, origin=origin, cap_seconds=cap, via_console=console)
    return SamlAssumed(
        assumed=assumed, subject=assertion.subject, subject_type=assertion.subject_type, issuer=assertion.issuer,
        audience=assertion.recipients[0], name_qualifier=qualifier,
    )


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """`BASE64(SHA1(Issuer + AccountId + "/" + ProviderName))`, as the STS API reference gives it."""
    digest = hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode(), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode()


def _provider_metadata(
    role_account: str, account_id: str, name: str, arn: str
) -> saml_assertion.ProviderMetadata:
    """The provider's metadata; it must be in the learner's own sandbox (the one holding the role's account)."""
    missing = InvalidIdentityToken(NO_PROVIDER.format(arn=arn))
    sandboxes = set(
        Account.objects.filter(account_id__in=[role_account, account_id]).values_list("sandbox_id", flat=True)
    )
    if len(sandboxes) != 1 or not Account.objects.filter(account_id=account_id).exists():
        raise missing
    with account_reader(account_id) as backends:
        provider = backends.iam.saml_providers.get(name)
        document = str(provider.saml_metadata_document or "") if provider is not None else None
    if document is None:
        raise missing
    return saml_assertion.metadata_parse(document)


def _check_time(assertion: saml_assertion.SamlAssertion, now: datetime) -> None:
    ends = [moment for moment in (assertion.not_on_or_after, assertion.confirmation_not_on_or_after) if moment]
    if any(now >= moment for moment in ends):
        raise ExpiredTokenException(EXPIRED)
    if assertion.issue_instant is not None and now > assertion.issue_instant + REDEEM_WITHIN:
        raise ExpiredTokenException(REDEEM_LATE)
    if assertion.not_before is not None and now < assertion.not_before:
        raise InvalidIdentityToken(NOT_YET_VALID)


def _check_addressed_to_aws(assertion: saml_assertion.SamlAssertion) -> None:
    if not all(_AWS_ENDPOINT.fullmatch(recipient) for recipient in assertion.recipients):
        raise InvalidIdentityToken(WRONG_RECIPIENT)
    if not any(audience == AWS_AUDIENCE or _AWS_ENDPOINT.fullmatch(audience) for audience in assertion.audiences):
        raise InvalidIdentityToken(NO_AUDIENCE)


def _pairs_role(assertion: saml_assertion.SamlAssertion, role_arn: str, provider_arn: str) -> bool:
    """The Role attribute holds `role-arn,provider-arn` pairs; AWS also takes them the other way round."""
    for value in assertion.attribute(ROLE):
        parts = {part.strip() for part in value.split(",")}
        if parts == {role_arn, provider_arn}:
            return True
    return False


def _caller(
    assertion: saml_assertion.SamlAssertion, *, principal_arn: str, doc: str, qualifier: str,
    user_identity: dict[str, Any],
) -> FederatedCaller:
    """The caller with the `SAML:` keys of its assertion: `SAML:aud` is the Recipient (not the Audience), `SAML:doc`
    is `account-id/provider-name`, and the eduPerson, Active Directory and X.500 attributes AWS maps."""
    names = assertion.attribute(ROLE_SESSION_NAME)
    if not names:
        raise InvalidIdentityToken(SESSION_NAME_MISSING)
    if not _SESSION_NAME.fullmatch(names[0]):
        raise InvalidIdentityToken(SESSION_NAME_INVALID)
    source = assertion.attribute(SOURCE_IDENTITY)
    if source and (not _SESSION_NAME.fullmatch(source[0]) or source[0].lower().startswith("aws:")):
        raise InvalidIdentityToken(SOURCE_IDENTITY_INVALID)
    session_keys = {
        "saml:sub": assertion.subject, "saml:sub_type": assertion.subject_type, "saml:namequalifier": qualifier,
    }
    keys: dict[str, str | list[str]] = {
        "SAML:aud": assertion.recipients[0], "SAML:iss": assertion.issuer, "SAML:doc": doc, **session_keys,
    }
    for name, (key, multivalued) in SAML_KEY_ATTRIBUTES.items():
        values = assertion.attribute(name)
        if values:
            keys[key] = list(values) if multivalued else values[0]
    return FederatedCaller(
        action=ACTION, principals=(principal_arn,), keys=keys, session_name=names[0], user_identity=user_identity,
        tags={
            name[len(PRINCIPAL_TAG):]: values[0] for name, values in assertion.attributes.items()
            if name.startswith(PRINCIPAL_TAG) and values
        },
        transitive_tag_keys=assertion.attribute(TRANSITIVE_TAG_KEYS), source_identity=source[0] if source else None,
        session_keys=session_keys,
    )


def _cap(assertion: saml_assertion.SamlAssertion, now: datetime) -> int | None:
    """SessionDuration and SessionNotOnOrAfter can only shorten an API session (the lesser of them wins)."""
    caps = []
    duration = assertion.attribute(SESSION_DURATION)
    if duration:
        if not duration[0].isdigit() or not 900 <= int(duration[0]) <= 43200:
            raise InvalidIdentityToken(SESSION_DURATION_INVALID)
        caps.append(int(duration[0]))
    if (end := _session_end(assertion, now)) is not None:
        caps.append(end)
    return min(caps) if caps else None


def _session_end(assertion: saml_assertion.SamlAssertion, now: datetime) -> int | None:
    if assertion.session_not_on_or_after is None:
        return None
    return int((assertion.session_not_on_or_after - now).total_seconds())


def _recorded(
    assertion: saml_assertion.SamlAssertion, caller: FederatedCaller, params: Mapping[str, Any]
) -> dict[str, Any]:
    """CloudTrail's requestParameters of AssumeRoleWithSAML (the assertion itself is never logged)."""
    recorded: dict[str, Any] = {"sAMLAssertionID": assertion.assertion_id, "roleSessionName": caller.session_name}
    if params.get("DurationSeconds") is not None:
        recorded["durationSeconds"] = params["DurationSeconds"]
    return {**recorded, **caller_parameters(caller)}
