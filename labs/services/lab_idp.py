"""The learner's training identity provider in a lab: the directory a setup declares, what the IdP hands out as
call parameters (its SAML metadata, a signed SAML response, an ID token), and the console's SAML sign-in.

Errors are the sandbox's own (`ApplicationError` from the IdP, `AwsError` from STS): the lab runner names the call.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.authorize import CallOrigin
from sandbox.errors import ApplicationError
from sandbox.federation import issue, selectors, services
from sandbox.federation.issuers import DEFAULT_SAML_ENTITY_ID, Issuer
from sandbox.federation.oidc_idp import TokenRequest
from sandbox.models import DirectoryUser, Sandbox
from sandbox.sts.console_saml import SignInRole, saml_console_sign_in

# The parameter forms `{"idp_saml_metadata": {}}`, `{"idp_saml_assertion": {...}}`, `{"idp_id_token": {...}}`.
IDP_VALUES = frozenset({"idp_saml_metadata", "idp_saml_assertion", "idp_id_token"})
# The metadata's SSO location: STS never reads it, and a lab's setup has no request to build the portal's URL from.
SSO_URL = f"{DEFAULT_SAML_ENTITY_ID}/sso"
USER_FIELDS = ("name", "display_name", "email", "groups", "attributes", "session_tags", "transitive_tag_keys")
TOKEN_FIELDS = ("audience", "repository", "ref", "event", "environment", "authenticated")
NO_SUCH_USER = "the training IdP's directory has no user `{name}` (declare it in the lab's setup.directory)"
NO_SUCH_ISSUER = "the training IdP plays no OIDC issuer `{name}`"


class IdpValueError(ApplicationError):
    """A lab asked the training IdP for something it cannot hand out."""


def directory_setup(*, sandbox: Sandbox, directory: Mapping[str, Any]) -> None:
    """Make the IdP's directory hold the lab's users and role mappings (idempotent: a lab may start twice)."""
    users = [{name: user[name] for name in USER_FIELDS if name in user} for user in directory.get("users", [])]
    mappings = [
        {"group": m["group"], "role_arn": m["role_arn"], "provider_arn": m["provider_arn"]}
        for m in directory.get("mappings", [])
    ]
    services.directory_apply(sandbox=sandbox, users=users, mappings=mappings)
    if "session_duration" in directory:
        services.identity_provider_session_duration_set(sandbox=sandbox, seconds=directory["session_duration"])


def idp_value(*, sandbox: Sandbox, name: str, spec: Mapping[str, Any]) -> str:
    """The text a special parameter value stands for (`name` is one of IDP_VALUES)."""
    if name == "idp_saml_metadata":
        return issue.saml_metadata_get(sandbox=sandbox, sso_url=SSO_URL).decode()
    if name == "idp_saml_assertion":
        user = _user(sandbox, str(spec["user"]))
        role_arn = spec.get("role_arn")
        return issue.saml_assertion_issue(user=user, role_arn=str(role_arn) if role_arn else None).encoded
    return _id_token(sandbox, spec)


def _user(sandbox: Sandbox, name: str) -> DirectoryUser:
    user = selectors.directory_user_get(sandbox=sandbox, name=name)
    if user is None:
        raise IdpValueError(NO_SUCH_USER.format(name=name))
    return user


def _id_token(sandbox: Sandbox, spec: Mapping[str, Any]) -> str:
    try:
        issuer = Issuer(str(spec.get("issuer", Issuer.GITHUB.value)))
    except ValueError as error:
        raise IdpValueError(NO_SUCH_ISSUER.format(name=spec.get("issuer"))) from error
    if issuer is Issuer.SAML:
        raise IdpValueError(NO_SUCH_ISSUER.format(name=issuer.value))
    user = _user(sandbox, str(spec["user"])) if spec.get("user") else None
    fields = {name: spec[name] for name in TOKEN_FIELDS if name in spec}
    return issue.id_token_issue(sandbox=sandbox, request=TokenRequest(issuer=issuer, user=user, **fields))


def console_saml_sign_in(*, sandbox: Sandbox, params: Mapping[str, Any], user_agent: str) -> dict[str, Any]:
    """What the corporate portal's "Sign in to the AWS console" does: a signed response for `params["user"]` (and
    `role_arn`, needed when their groups map to several roles) posted to AWS sign-in's SAML endpoint."""
    role_arn = params.get("role_arn")
    issued = issue.saml_assertion_issue(
        user=_user(sandbox, str(params["user"])), role_arn=str(role_arn) if role_arn else None
    )
    pair = issued.roles[0]
    switched = saml_console_sign_in(
        sandbox=sandbox, saml_response=issued.encoded, role=SignInRole(pair.role_arn, pair.provider_arn),
        origin=CallOrigin("", True), user_agent=user_agent,
    )
    return {"Arn": switched.identity.arn}
