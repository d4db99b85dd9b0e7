"""STS through the AWS endpoint (Query protocol): our own STS service, AWS's XML, an event for every call."""
from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.db import transaction
from django.http import HttpResponse

from sandbox.authorize import CallOrigin
from sandbox.endpoint import responses
from sandbox.endpoint.calls import CallInfo, ParsedCall, unsupported
from sandbox.endpoint.sigv4_errors import Protocol
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.models import StsSession
from sandbox.sts.assume_role import AssumedRole, assume_role
from sandbox.sts.records import CallMeta, credentials_elements, record_sts_call
from sandbox.sts.session_token import WITH_SESSION_CREDENTIALS, get_session_token

SERVED = frozenset({"AssumeRole", "GetSessionToken", "GetCallerIdentity"})
SESSION_ONLY_REFUSALS = {"GetFederationToken": "Cannot call GetFederationToken with session credentials"}


def serve_sts_call(*, identity: Identity, call: ParsedCall, info: CallInfo) -> HttpResponse:
    name = call.operation.name
    if name not in SERVED:
        if identity.session is not None and name in SESSION_ONLY_REFUSALS:
            return _error(AccessDenied(SESSION_ONLY_REFUSALS[name]), info)
        return unsupported("sts", name, info)
    meta = CallMeta(
        request_id=info.request_id, region=info.region, source_ip=info.source_ip, user_agent=info.user_agent,
        access_key_id=info.access_key_id,
    )
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
    elements: dict[str, Any] = {
        "credentials": credentials_elements(session),
        "assumedRoleUser": {"assumedRoleId": identity.principal_id, "arn": identity.arn},
    }
    if assumed.packed_policy_size is not None:
        xml += f"<PackedPolicySize>{assumed.packed_policy_size}</PackedPolicySize>"
        elements["packedPolicySize"] = assumed.packed_policy_size
    if session.source_identity:
        xml += f"<SourceIdentity>{escape(session.source_identity)}</SourceIdentity>"
        elements["sourceIdentity"] = session.source_identity
    return xml, elements


def caller_identity_response(identity: Identity, request_id: str) -> HttpResponse:
    """GetCallerIdentity needs no permission: AWS answers it even when every policy denies everything."""
    result = (
        f"<Arn>{escape(identity.arn)}</Arn><UserId>{escape(identity.principal_id)}</UserId>"
        f"<Account>{identity.account_id}</Account>"
    )
    return responses.query_response(service="sts", action="GetCallerIdentity", result_xml=result, request_id=request_id)


__all__ = ["WITH_SESSION_CREDENTIALS", "serve_sts_call"]
