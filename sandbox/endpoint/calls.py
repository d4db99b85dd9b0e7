"""One verified API call: parse it, authorize every check with `iam`, serve it with moto, record the event."""
from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

import botocore.session
from django.http import HttpResponse

from sandbox import events, managed_policies
from sandbox.authorize import CallOrigin, authorize
from sandbox.endpoint import (
    dispatch,
    iam_boundaries,
    iam_login_profiles,
    iam_messages,
    iam_mfa,
    iam_policies,
    iam_providers,
    iam_validation,
    responses,
)
from sandbox.endpoint.dispatch import MotoResponse, moto_call
from sandbox.endpoint.query import query_input
from sandbox.endpoint.resolver import MotoResolver
from sandbox.endpoint.sigv4_errors import Protocol, protocol_for
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.models import AccessKeyOwner, Account
from sandbox.moto_store import AccountBackends, account_reader, account_writer
from sandbox.operations import Operation, OperationError, authorization_requests
from sandbox.operations.iam_rules import RULES as IAM_RULES
from sandbox.operations.iam_rules import SELF as CALLING_USER
from sandbox.sts.trust_bindings import bind_trust_policy, deleted_principal, principal_deleted, unbind_role

QUERY_VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}
SERVED_BY_MOTO = frozenset({"iam"})
READ_ONLY_PREFIXES = ("Get", "List", "Simulate", "Lookup", "Describe")
# Calls that name a policy ARN: an AWS managed policy must be present in the account's moto state first.
POLICY_ARN_PARAMS = ("PolicyArn", "PermissionsBoundary")
NOT_AVAILABLE = "{service}:{action} is not available in this training sandbox yet"
_BOTOCORE = botocore.session.get_session()
CALLER_DEFAULT_CALLS = frozenset(name for name, rule in IAM_RULES.items() if rule is CALLING_USER)
NON_USER_CREDENTIALS = "Must specify userName when calling with non-User credentials"
_REQUEST_ID = re.compile(rb"<RequestId>[^<]*</RequestId>")


@dataclass(frozen=True, slots=True)
class CallInfo:
    """What the event history needs about the HTTP side of a call."""

    request_id: str
    source_ip: str
    user_agent: str
    region: str
    access_key_id: str
    secure: bool = False

    @property
    def origin(self) -> CallOrigin:
        return CallOrigin(source_ip=self.source_ip, secure_transport=self.secure)


@dataclass(frozen=True, slots=True)
class ParsedCall:
    operation: Operation
    raw_params: Mapping[str, str] = field(default_factory=dict)


class CallFailed(Exception):
    """moto refused the call: nothing may be stored, and its answer goes back to the caller as it is."""

    def __init__(self, response: MotoResponse) -> None:
        super().__init__(response.status)
        self.response = response


def parse_query_call(service: str, method: str, url: str, body: bytes, region: str) -> ParsedCall:
    """A Query-protocol call (IAM, STS): Action and parameters from the form body and the query string."""
    query = urllib.parse.urlsplit(url).query
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    if method == "POST":
        pairs += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    params = dict(pairs)
    action = params.get("Action", "")
    model = _BOTOCORE.get_service_model(service)
    if action not in model.operation_names:
        raise OperationError("InvalidAction", f"Could not find operation {action} for version {model.api_version}")
    shape = model.operation_model(action).input_shape
    return ParsedCall(Operation(service, action, query_input(shape, params), region), params)


def _check_all(backends: AccountBackends, identity: Identity, operation: Operation, origin: CallOrigin) -> None:
    resolver = MotoResolver(backends, identity.account_id)
    for check in authorization_requests(
        operation, account_id=identity.account_id, resolve=resolver, caller_arn=identity.arn
    ):
        authorize(
            backends, identity, action=check.action, resource=check.resource, context=check.context,
            resource_account=check.resource_account, origin=origin,
        )


def _serve_iam(backends: AccountBackends, identity: Identity, call: ParsedCall, body: bytes) -> MotoResponse:
    name, params = call.operation.name, call.operation.params
    iam_policies.refuse_aws_policy_write(identity, name, params)
    if (refused := iam_validation.precheck(backends, name, params)) is not None:
        return _checked(refused)
    if name in iam_mfa.MFA_CALLS:
        return _checked(iam_mfa.mfa_call(backends, identity, name, params))
    if name in iam_providers.PROVIDER_CALLS:
        return _checked(iam_providers.provider_call(backends, name, params))
    if name in iam_login_profiles.LOGIN_PROFILE_CALLS:
        return _checked(iam_login_profiles.login_profile_call(backends, identity, name, params))
    if name in iam_boundaries.USER_BOUNDARY_CALLS:
        return _checked(iam_boundaries.user_boundary_call(backends, name, params))
    if name == "CreateUser" and (refusal := iam_boundaries.set_boundary_on_create(backends, params)) is not None:
        return _checked(refusal)
    if name == "ListPolicies":
        result = iam_policies.list_policies_xml(backends, params)
        return MotoResponse(200, {"Content-Type": "text/xml"}, _query_body("ListPolicies", result))
    for parameter in POLICY_ARN_PARAMS:
        arn = params.get(parameter)
        if isinstance(arn, str):
            managed_policies.ensure_available(backends.iam, arn)
    deleted = deleted_principal(backends, name, dict(params)) if name in ("DeleteUser", "DeleteRole") else None
    answer = moto_call(
        service="iam", account_id=identity.account_id, method="POST", path_and_query="/",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, body=body,
    )
    if deleted is not None and answer.status < 400:
        principal_deleted(backends, *deleted)
    if name == "CreateUser" and answer.status < 400:
        iam_boundaries.remember_boundary(backends, params)
    if name in iam_validation.TRUST_DOCUMENTS and answer.status < 400:
        document = params.get(iam_validation.TRUST_DOCUMENTS[name], "")
        bind_trust_policy(backends, str(params.get("RoleName", "")), str(document))
    elif name == "DeleteRole" and answer.status < 400:
        unbind_role(identity.account_id, str(params.get("RoleName", "")))
    return _checked(iam_messages.aws_wording(answer))


def _caller_named(identity: Identity, call: ParsedCall, body: bytes) -> tuple[ParsedCall, bytes]:
    """A call about "the calling user" without `UserName` (GetUser, CreateAccessKey, ListMFADevices...) names the
    caller, as IAM reads it from the signature. moto never sees the signature and would invent a `default_user`.
    Credentials that are not a user's (a role session) must name the user, as in AWS."""
    operation = call.operation
    if operation.name not in CALLER_DEFAULT_CALLS or operation.params.get("UserName"):
        return call, body
    if identity.type != "IAMUser" or identity.is_role_session:
        raise CallFailed(dispatch.iam_error("ValidationError", NON_USER_CREDENTIALS, 400))
    named = replace(operation, params={**operation.params, "UserName": identity.name})
    separator = b"&" if body else b""
    return (ParsedCall(named, {**call.raw_params, "UserName": identity.name}),
            body + separator + urllib.parse.urlencode({"UserName": identity.name}).encode())


def _checked(answer: MotoResponse) -> MotoResponse:
    """A refused call leaves nothing behind: the writer rolls back and drops its cached copy."""
    if answer.status >= 400:
        raise CallFailed(answer)
    return answer


def _query_body(action: str, result_xml: str) -> bytes:
    namespace = responses.NAMESPACES["iam"]
    return (
        f'<{action}Response xmlns="{namespace}"><{action}Result>{result_xml}</{action}Result>'
        f"<ResponseMetadata><RequestId>-</RequestId></ResponseMetadata></{action}Response>"
    ).encode()


def _keep_key_index(identity: Identity, call: ParsedCall, answer: MotoResponse) -> None:
    """Keep `AccessKeyOwner` in step with the account's keys, so that new keys can sign requests."""
    name = call.operation.name
    if name == "CreateAccessKey":
        key_id = _element(answer.body, "AccessKeyId")
        user_name = _element(answer.body, "UserName") or identity.name
        account = Account.objects.get(account_id=identity.account_id)
        AccessKeyOwner.objects.create(access_key_id=key_id, account=account, user_name=user_name)
    elif name == "DeleteAccessKey":
        AccessKeyOwner.objects.filter(access_key_id=call.operation.params.get("AccessKeyId", "")).delete()


def _element(body: bytes, tag: str) -> str:
    text = body.decode("utf-8", "replace")
    start = text.find(f"<{tag}>")
    end = text.find(f"</{tag}>", start)
    return text[start + len(tag) + 2 : end] if start >= 0 and end > start else ""


def perform_iam_call(*, identity: Identity, call: ParsedCall, body: bytes, info: CallInfo) -> MotoResponse:
    """Authorize and perform an IAM call in the caller's account, recording it either way.

    Raises AccessDenied (with the engine's evaluation) or CallFailed (IAM's own refusal, as moto answered it).
    """
    name = call.operation.name
    read_only = name.startswith(READ_ONLY_PREFIXES)
    opener: Callable[[str], AbstractContextManager[AccountBackends]] = account_reader if read_only else account_writer
    try:
        call, body = _caller_named(identity, call, body)
        with opener(identity.account_id) as backends:
            _check_all(backends, identity, call.operation, info.origin)
            answer = _serve_iam(backends, identity, call, body)
            _keep_key_index(identity, call, answer)
            if not read_only:
                record_call(identity, call, info, error=None)
    except AccessDenied as denied:
        record_call(identity, call, info, error=denied)
        raise
    except CallFailed as failed:
        record_call(identity, call, info, error=failed.response)
        raise
    if read_only:
        record_call(identity, call, info, error=None)
    return answer


def serve_iam_call(*, identity: Identity, call: ParsedCall, body: bytes, info: CallInfo) -> HttpResponse:
    """An IAM call through the endpoint: AWS's XML answer or error."""
    try:
        answer = perform_iam_call(identity=identity, call=call, body=body, info=info)
    except AccessDenied as denied:
        return responses.error_response(
            protocol=Protocol.QUERY, service="iam", code=denied.code, message=denied.message, status=denied.status,
            request_id=info.request_id,
        )
    except CallFailed as failed:
        return _moto_http(failed.response, info.request_id)
    return _moto_http(answer, info.request_id)


def _moto_http(answer: MotoResponse, request_id: str) -> HttpResponse:
    # moto invents its own request ids; the caller gets ours, which the event history records too.
    body = _REQUEST_ID.sub(b"<RequestId>" + request_id.encode() + b"</RequestId>", answer.body, count=1)
    response = HttpResponse(body, status=answer.status, content_type=answer.headers.get("Content-Type", "text/xml"))
    response["x-amzn-RequestId"] = request_id
    return response


def _redacted(params: Mapping[str, Any]) -> dict[str, Any]:
    secret_words = ("password", "secret", "privatekey", "authenticationcode")
    return {
        key: ("HIDDEN_DUE_TO_SECURITY_REASONS" if any(word in key.lower() for word in secret_words) else value)
        for key, value in params.items()
    }


def record_call(identity: Identity, call: ParsedCall, info: CallInfo, *, error: AwsError | MotoResponse | None) -> None:
    """Record one call in the caller's event history (allowed, denied or failed)."""
    code = message = ""
    if isinstance(error, AwsError):
        code, message = error.code, error.message
    elif isinstance(error, MotoResponse):
        code, message = _error_fields(error.body)
    operation = call.operation
    events.event_record(
        identity=identity,
        account_id=identity.account_id,
        event_name=operation.name,
        event_source=f"{operation.service}.amazonaws.com",
        request_parameters=_lower_first(_redacted(iam_providers.event_parameters(dict(operation.params)))),
        error_code=code,
        error_message=message,
        request_id=info.request_id,
        aws_region=info.region,
        source_ip=info.source_ip,
        user_agent=info.user_agent,
        read_only=operation.name.startswith(READ_ONLY_PREFIXES),
        access_key_id=info.access_key_id,
    )


def _lower_first(params: Mapping[str, Any]) -> dict[str, Any]:
    """CloudTrail writes parameter names in camel case starting lower-case (`roleName`)."""
    return {key[:1].lower() + key[1:]: value for key, value in params.items()}


def _error_fields(body: bytes) -> tuple[str, str]:
    return _element(body, "Code") or "ServiceFailure", _element(body, "Message")


def unsupported(service: str, action: str, info: CallInfo) -> HttpResponse:
    protocol = protocol_for(service)
    code = "UnknownOperationException" if protocol is Protocol.JSON else "InvalidAction"
    return responses.error_response(
        protocol=protocol, service=service, code=code, message=NOT_AVAILABLE.format(service=service, action=action),
        status=400, request_id=info.request_id,
    )

