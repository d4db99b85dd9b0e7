"""STS through the AWS endpoint (Query protocol): our own STS service, AWS's XML, an event for every call.

AssumeRoleWithSAML and AssumeRoleWithWebIdentity are served without a signature, as AWS serves them (the identity
provider's assertion or token is the proof); every other call must be signed.
"""
from __future__ import annotations

import urllib.parse
from typing import Any
from xml.sax.saxutils import escape

from django.db import transaction
from django.http import HttpResponse

from sandbox.authorize import CallOrigin
from sandbox.endpoint import responses
from sandbox.endpoint.calls import CallInfo, ParsedCall, parse_query_call, unsupported
from sandbox.endpoint.sigv4 import IncomingRequest
from sandbox.endpoint.sigv4_errors import Protocol
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.models import StsSession
from sandbox.operations import OperationError
from sandbox.sts.assume_role import AssumedRole, assume_role
from sandbox.sts.assume_role_saml import SamlAssumed, assume_role_with_saml
from sandbox.sts.assume_role_web_identity import WebIdentityAssumed, assume_role_with_web_identity
from sandbox.sts.federation import FederationTrail
from sandbox.sts.records import CallMeta, assumed_elements, credentials_elements, record_federated_call, record_sts_call
from sandbox.sts.session_token import WITH_SESSION_CREDENTIALS, get_session_token

FEDERATION_CALLS = frozenset({"AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"})
SERVED = frozenset({"AssumeRole", "GetSessionToken", "GetCallerIdentity", *FEDERATION_CALLS})
_SIGNATURE_PARAMETERS = frozenset({"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Algorithm", "Signature"})
SESSION_ONLY_REFUSALS = {"GetFederationToken": "Cannot call GetFederationToken with session credentials"}


def serve_sts_call(*, identity: Identity, call: ParsedCall, info: CallInfo) -> HttpResponse:
    name = call.operation.name
    if name not in SERVED:
        if identity.session is not None and name in SESSION_ONLY_REFUSALS:
            return _error(AccessDenied(SESSION_ONLY_REFUSALS[name]), info)
        return unsupported("sts", name, info)
    if name in FEDERATION_CALLS:
        return serve_federation_call(call=call, info=info)  # signed anyway: the signer plays no part
    meta = _meta(info)
    params = call.operation.params
    if name == "GetCallerIdentity":
        record_sts_call(identity, name, params, meta, response={
            "arn": identity.arn, "userId": identity.principal_id, "account": identity.account_id})
        return caller_identity_response(identity, info.request_id)
    try:
        with transaction.atomic():
            if name == "AssumeRole":
                assumed = assume_role(identity, params, origin=CallOrigin(info.source_ip, info.secure))
                result, elements = _assume_role_result(assumed)
                record_sts_call(identity, name, params, meta, response=elements, owner_account=assumed.role.account_id)
            else:
                session = get_session_token(identity, params)
                result, elements = _credentials_xml(session), {"credentials": credentials_elements(session)}
                record_sts_call(identity, name, params, meta, response=elements)
    except AwsError as refused:
        record_sts_call(identity, name, params, meta, error=refused)
        return _error(refused, info)
    return responses.query_response(service="sts", action=name, result_xml=result, request_id=info.request_id)


def unsigned_federation_call(incoming: IncomingRequest, region: str) -> ParsedCall | None:
    """The call, when `incoming` carries no signature at all and asks for AssumeRoleWithSAML or
    AssumeRoleWithWebIdentity (the only calls AWS serves unsigned); None for every other request."""
    if incoming.header("Authorization") is not None:
        return None
    split = urllib.parse.urlsplit(incoming.url)
    query = urllib.parse.parse_qs(split.query)
    if _SIGNATURE_PARAMETERS & set(query):
        return None
    form = urllib.parse.parse_qs(incoming.body.decode("utf-8", "replace")) if incoming.method == "POST" else {}
    actions = form.get("Action") or query.get("Action") or []
    if len(actions) != 1 or actions[0] not in FEDERATION_CALLS:
        return None
    try:
        return parse_query_call("sts", incoming.method, incoming.url, incoming.body, region)
    except OperationError:
        return None


def serve_federation_call(*, call: ParsedCall, info: CallInfo) -> HttpResponse:
    """AssumeRoleWithSAML / AssumeRoleWithWebIdentity: AWS's answer or error, and an event in the role's account."""
    name, params = call.operation.name, call.operation.params
    trail = FederationTrail()
    meta = _meta(info)
    try:
        with transaction.atomic():
            if name == "AssumeRoleWithSAML":
                assumed: SamlAssumed | WebIdentityAssumed = assume_role_with_saml(
                    params, origin=info.origin, trail=trail
                )
            else:
                assumed = assume_role_with_web_identity(params, origin=info.origin, trail=trail)
            result, elements = _federated_result(assumed)
            record_federated_call(name, trail, meta, response=elements)
    except AwsError as refused:
        record_federated_call(name, trail, meta, error=refused)
        return _error(refused, info)
    return responses.query_response(service="sts", action=name, result_xml=result, request_id=info.request_id)


def _meta(info: CallInfo) -> CallMeta:
    return CallMeta(
        request_id=info.request_id, region=info.region, source_ip=info.source_ip, user_agent=info.user_agent,
        access_key_id=info.access_key_id,
    )


def _federated_result(assumed: SamlAssumed | WebIdentityAssumed) -> tuple[str, dict[str, Any]]:
    xml, _ = _assume_role_result(assumed.assumed)
    fields = assumed.fields()
    xml += "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields.items())
    return xml, assumed_elements(assumed.assumed, fields)


def _error(error: AwsError, info: CallInfo) -> HttpResponse:
    return responses.error_response(
        protocol=Protocol.QUERY, service="sts", code=error.code, message=error.message, status=error.status,
        request_id=info.request_id,
    )


def _credentials_xml(session: StsSession) -> str:
    expiration = session.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"<Credentials><AccessKeyId>{session.access_key_id}</AccessKeyId>"
        f"<SecretAccessKey>{escape(session.secret_access_key)}</SecretAccessKey>"
        f"<SessionToken>{escape(session.session_token)}</SessionToken>"
        f"<Expiration>{expiration}</Expiration></Credentials>"
    )


def _assume_role_result(assumed: AssumedRole) -> tuple[str, dict[str, Any]]:
    identity, session = assumed.identity, assumed.session
    xml = (
        f"{_credentials_xml(session)}<AssumedRoleUser><AssumedRoleId>{escape(identity.principal_id)}</AssumedRoleId>"
        f"<Arn>{escape(identity.arn)}</Arn></AssumedRoleUser>"
    )
    if assumed.packed_policy_size is not None:
        xml += f"<PackedPolicySize>{assumed.packed_policy_size}</PackedPolicySize>"
    if session.source_identity:
        xml += f"<SourceIdentity>{escape(session.source_identity)}</SourceIdentity>"
    return xml, assumed_elements(assumed)


def caller_identity_response(identity: Identity, request_id: str) -> HttpResponse:
    """GetCallerIdentity needs no permission: AWS answers it even when every policy denies everything."""
    result = (
        f"<Arn>{escape(identity.arn)}</Arn><UserId>{escape(identity.principal_id)}</UserId>"
        f"<Account>{identity.account_id}</Account>"
    )
    return responses.query_response(service="sts", action="GetCallerIdentity", result_xml=result, request_id=request_id)


__all__ = ["WITH_SESSION_CREDENTIALS", "serve_sts_call"]
