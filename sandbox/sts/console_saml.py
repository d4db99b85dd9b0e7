"""SAML console federation: what AWS sign-in's SAML endpoint (https://signin.aws.amazon.com/saml) does with the
response a corporate portal posts to it: offer the roles of its Role attribute ("Select a role"), then
AssumeRoleWithSAML for the console and a `ConsoleLogin` sign-in event.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-saml.html
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from sandbox import events
from sandbox.authorize import CallOrigin
from sandbox.errors import AwsError
from sandbox.models import Account, Sandbox, StsSession
from sandbox.sts.assume_role_saml import ROLE, assume_role_with_saml
from sandbox.sts.federation import FederationTrail, InvalidIdentityToken
from sandbox.sts.records import CallMeta, assumed_elements, record_federated_call
from sandbox.sts.saml_assertion import NAMESPACES, response_decode, response_tree
from sandbox.sts.switch_role import SIGNIN_SOURCE, SwitchedRole

# The console's text for every response it cannot use (troubleshoot_saml.html), and the sign-in page's own.
INVALID_RESPONSE = "Your request included an invalid SAML response. To logout, click here."
NOT_YOUR_ROLE = "The role is not one of your sandbox's roles."
CONSOLE_URL = "/console/"


@dataclass(frozen=True, slots=True)
class SignInRole:
    """One choice of the "Select a role" page: a role and the SAML provider that vouches for it."""

    role_arn: str
    provider_arn: str

    @property
    def account_id(self) -> str:
        return self.role_arn.split(":")[4]

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def provider_name(self) -> str:
        return self.provider_arn.rsplit("/", 1)[-1]


def saml_sign_in_roles(*, saml_response: str) -> list[SignInRole]:
    """The role/provider pairs the response offers, for the role picker only: nothing is trusted until STS has
    verified the signature, when one of them is chosen."""
    root = response_tree(response_decode(saml_response))
    roles: dict[tuple[str, str], SignInRole] = {}
    for value in root.iterfind(f".//saml:Attribute[@Name='{ROLE}']/saml:AttributeValue", NAMESPACES):
        parts = [part.strip() for part in (value.text or "").split(",")]
        if len(parts) != 2:
            continue
        role_arn, provider_arn = sorted(parts, key=lambda part: ":saml-provider/" in part)
        roles.setdefault((role_arn, provider_arn), SignInRole(role_arn, provider_arn))
    return list(roles.values())


@dataclass(frozen=True, slots=True)
class SignInChoice:
    """The roles a response offers and the one chosen: the only one, or the one picked by `roleIndex`."""

    roles: tuple[SignInRole, ...]
    chosen: SignInRole | None


def saml_sign_in_choose(*, saml_response: str, role_index: str = "") -> SignInChoice:
    """AWS sign-in goes straight in with a single role and shows "Select a role" for several."""
    roles = tuple(saml_sign_in_roles(saml_response=saml_response))
    if not roles:
        raise InvalidIdentityToken(INVALID_RESPONSE)
    if len(roles) == 1:
        return SignInChoice(roles=roles, chosen=roles[0])
    return SignInChoice(roles=roles, chosen=next((role for role in roles if role.role_arn == role_index), None))


def saml_console_sign_in(
    *, sandbox: Sandbox, saml_response: str, role: SignInRole, origin: CallOrigin, user_agent: str = ""
) -> SwitchedRole:
    """Sign in to the console as `role` with the response: AssumeRoleWithSAML (recorded as AWS records it) and a
    ConsoleLogin event. Only the learner's own sandbox can be signed in to."""
    if not Account.objects.filter(sandbox=sandbox, account_id=role.account_id).exists():
        raise InvalidIdentityToken(NOT_YOUR_ROLE)
    params = {"RoleArn": role.role_arn, "PrincipalArn": role.provider_arn, "SAMLAssertion": saml_response}
    trail = FederationTrail()
    meta = CallMeta(source_ip=origin.source_ip, user_agent=user_agent)
    try:
        with transaction.atomic():
            saml = assume_role_with_saml(params, origin=origin, trail=trail, console=True)
            record_federated_call(
                "AssumeRoleWithSAML", trail, meta, response=assumed_elements(saml.assumed, saml.fields())
            )
            identity = saml.assumed.identity
            events.event_record(
                identity=identity, account_id=identity.account_id, event_name="ConsoleLogin",
                event_source=SIGNIN_SOURCE, response_elements={"ConsoleLogin": "Success"},
                event_type="AwsConsoleSignIn", source_ip=origin.source_ip, user_agent=user_agent,
                additional_event_data={"LoginTo": CONSOLE_URL, "MobileVersion": "No", "MFAUsed": "No",
                                       "SamlProviderArn": role.provider_arn},
            )
    except AwsError as refused:
        record_federated_call("AssumeRoleWithSAML", trail, meta, error=refused)
        raise
    session = saml.assumed.session
    display = f"{role.role_name}/{session.session_name}"[:64]
    StsSession.objects.filter(pk=session.pk).update(display_name=display)
    return SwitchedRole(
        session=session, identity=saml.assumed.identity, display_name=display, color="",
        account_id=role.account_id, role_name=role.role_name,
    )
