"""The JSON-protocol services we answer ourselves: Organizations (describe/list) and CloudTrail LookupEvents."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpResponse

from sandbox import events
from sandbox.authorize import CallOrigin, authorize
from sandbox.endpoint import responses
from sandbox.endpoint.calls import CallInfo, ParsedCall, record_call
from sandbox.endpoint.resolver import MotoResolver
from sandbox.endpoint.sigv4 import IncomingRequest, VerifiedRequest
from sandbox.endpoint.sigv4_errors import Protocol
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.moto_store import account_reader
from sandbox.operations import Operation, OperationError, authorization_requests
from sandbox.organizations import organization_answer, organization_ref

JSON_SERVICES = frozenset({"organizations", "cloudtrail"})
CONTENT_TYPE = "application/x-amz-json-1.1"

Handler = Callable[[Identity, Mapping[str, Any]], dict[str, Any]]


def _parse(service: str, incoming: IncomingRequest, payload: bytes, region: str) -> ParsedCall:
    target = incoming.header("X-Amz-Target") or ""
    name = target.rsplit(".", 1)[-1]
    try:
        params = json.loads(payload or b"{}")
    except ValueError as exc:
        raise OperationError("SerializationException", "the request body is not valid JSON") from exc
    if not name or not isinstance(params, dict):
        raise OperationError("UnknownOperationException", f"unknown operation {target!r}")
    return ParsedCall(Operation(service, name, params, region))


def _authorize_all(identity: Identity, operation: Operation, origin: CallOrigin) -> None:
    with account_reader(identity.account_id) as backends:
        checks = authorization_requests(
            operation, account_id=identity.account_id, resolve=MotoResolver(backends, identity.account_id),
            caller_arn=identity.arn,
        )
        for check in checks:
            authorize(
                backends, identity, action=check.action, resource=check.resource, context=check.context,
                resource_account=check.resource_account, origin=origin,
            )


def _lookup_events(identity: Identity, params: Mapping[str, Any]) -> dict[str, Any]:
    page = events.event_lookup(
        account_id=identity.account_id,
        attributes=params.get("LookupAttributes") or [],
        start=params.get("StartTime"),
        end=params.get("EndTime"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    answer: dict[str, Any] = {"Events": page.events}
    if page.next_token:
        answer["NextToken"] = page.next_token
    return answer


def serve_json_call(
    *, identity: Identity, service: str, incoming: IncomingRequest, verified: VerifiedRequest[Any], info: CallInfo
) -> HttpResponse:
    """Parse, authorize, answer and record one Organizations or CloudTrail call."""
    try:
        call = _parse(service, incoming, verified.payload, info.region)
    except OperationError as error:
        return _error(error.code, error.message, 400, info)
    try:
        organization = organization_ref(identity.account_id)
        _authorize_all(identity, call.operation, info.origin)
        if service == "cloudtrail":
            if call.operation.name != "LookupEvents":
                raise OperationError("UnknownOperationException", f"{call.operation.name} is not available here")
            answer = _lookup_events(identity, call.operation.params)
        else:
            answer = organization_answer(identity=identity, operation=call.operation, organization=organization)
    except AccessDenied as denied:
        record_call(identity, call, info, error=denied)
        return _error("AccessDeniedException", denied.message, 400, info)
    except AwsError as error:
        record_call(identity, call, info, error=error)
        return _error(error.code, error.message, error.status, info)
    except OperationError as error:
        record_call(identity, call, info, error=AwsError(error.message, code=error.code, status=400))
        return _error(error.code, error.message, 400, info)
    record_call(identity, call, info, error=None)
    response = HttpResponse(json.dumps(answer, default=str), content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = info.request_id
    return response


def _error(code: str, message: str, status: int, info: CallInfo) -> HttpResponse:
    return responses.error_response(
        protocol=Protocol.JSON, service=None, code=code, message=message, status=status, request_id=info.request_id
    )
