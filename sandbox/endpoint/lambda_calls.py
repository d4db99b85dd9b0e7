"""Lambda through the AWS endpoint (REST-JSON, 2015-03-31): route by method and path, validate, authorize, answer.

Routes, parameter locations (path, query string, headers, JSON body) and constraints come from botocore's model of
Lambda. Errors are JSON with the code in `x-amzn-ErrorType`, as botocore's rest-json parser reads them.
"""
from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.model import NoShapeFoundError, OperationModel
from django.http import HttpResponse

from sandbox import lambdas
from sandbox.clock import sandbox_now
from sandbox.endpoint.calls import CallInfo
from sandbox.endpoint.service_calls import authorize_all, call_checks, cloudtrail_parameters, record_service_call
from sandbox.endpoint.sigv4 import IncomingRequest
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.moto_store import account_reader
from sandbox.operations import Operation, OperationError

MODEL = botocore.session.get_session().get_service_model("lambda")
MOUNT_PATH = "/aws"
NOT_AVAILABLE = "lambda:{action} is not available in this training sandbox yet"
NOT_DATA_EVENTS = frozenset({"Invoke"})  # CloudTrail logs Invoke as a data event, never in the event history


def _route(operation: OperationModel) -> tuple[str, re.Pattern[str]]:
    path = operation.http["requestUri"].split("?", 1)[0].rstrip("/")
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    return operation.http["method"], re.compile(pattern + "/?")


# Most literal characters first: `/functions/{FunctionName}/configuration` before `/functions/{FunctionName}`.
ROUTES = sorted(
    ((name, *_route(MODEL.operation_model(name))) for name in MODEL.operation_names),
    key=lambda route: -len(re.sub(r"\(\?P<\w+>[^)]*\)", "", route[2].pattern)),
)


@dataclass(frozen=True, slots=True)
class LambdaCall:
    identity: Identity
    operation: Operation
    name: lambdas.FunctionName | None
    payload: bytes


def parse_lambda_call(incoming: IncomingRequest, body: bytes, region: str) -> Operation:
    """The operation whose route matches, with its parameters from the path, query string, headers and body."""
    split = urllib.parse.urlsplit(incoming.url)
    path = split.path[len(MOUNT_PATH):] if split.path.startswith(MOUNT_PATH) else split.path
    for name, method, pattern in ROUTES:
        found = pattern.fullmatch(path) if method == incoming.method else None
        if found is not None:
            return Operation("lambda", name, _params(MODEL.operation_model(name), found, split.query, incoming, body),
                             region)
    raise OperationError("UnknownOperationException", f"no Lambda operation answers {incoming.method} {path}")


def _params(model: OperationModel, found: re.Match[str], query: str, incoming: IncomingRequest,
            body: bytes) -> dict[str, Any]:
    shape = model.input_shape
    if shape is None:
        return {}
    pairs = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    params: dict[str, Any] = {}
    if shape.serialization.get("payload") is None and body:
        try:
            params.update(json.loads(body))
        except ValueError as exc:
            raise OperationError("InvalidRequestContentException", "Could not parse request body into json") from exc
    sources: dict[str, Mapping[str, str | None]] = {"uri": found.groupdict(), "querystring": pairs}
    for member_name, member in shape.members.items():
        location, wire = member.serialization.get("location"), member.serialization.get("name", member_name)
        raw = incoming.header(wire) if location == "header" else sources.get(location or "", {}).get(wire)
        if raw is not None:
            value = urllib.parse.unquote(raw) if location == "uri" else raw
            params[member_name] = int(value) if member.type_name == "integer" and value.isdigit() else value
    return params


def _validate(operation: Operation) -> None:
    """The model's constraints on the call's top-level values, in AWS's ValidationException wording."""
    shape = MODEL.operation_model(operation.name).input_shape
    problems = []
    for member_name, member in shape.members.items() if shape else ():
        value, meta = operation.params.get(member_name), member.metadata
        at = f"Value '{value}' at '{member_name[:1].lower() + member_name[1:]}' failed to satisfy constraint: "
        if isinstance(value, str) and meta.get("enum") and value not in meta["enum"]:
            problems.append(at + f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
        elif isinstance(value, str) and meta.get("pattern") and re.fullmatch(meta["pattern"], value) is None:
            problems.append(at + f"Member must satisfy regular expression pattern: {meta['pattern']}")
        elif isinstance(value, str) and "max" in meta and len(value) > meta["max"]:
            problems.append(at + f"Member must have length less than or equal to {meta['max']}")
        elif isinstance(value, int) and "min" in meta and value < meta["min"]:
            problems.append(at + f"Member must have value greater than or equal to {meta['min']}")
        elif isinstance(value, int) and "max" in meta and value > meta["max"]:
            problems.append(at + f"Member must have value less than or equal to {meta['max']}")
    if problems:
        count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected: "
        raise lambdas.LambdaError(count + "; ".join(problems), code="ValidationException")


def lambda_error(code: str, message: str, request_id: str, status: int | None = None) -> HttpResponse:
    """Lambda's error: the code in `x-amzn-ErrorType`, the message under the member name the model gives it."""
    try:
        shape = MODEL.shape_for(code)
        status = status or shape.metadata.get("error", {}).get("httpStatusCode", 400)
        key = "Message" if "Message" in shape.members else "message"
    except NoShapeFoundError:  # an error the model does not describe (ValidationException, AccessDeniedException...)
        key = "message"
    body = json.dumps({"Type": "User", key: message})
    response = HttpResponse(body, status=status or 400, content_type="application/json")
    response["x-amzn-ErrorType"] = code
    response["x-amzn-RequestId"] = request_id
    return response


def _prepare(identity: Identity, operation: Operation, info: CallInfo, payload: bytes) -> LambdaCall:
    _validate(operation)
    with account_reader(identity.account_id) as backends:
        authorize_all(backends, identity, call_checks(backends, identity, operation), info.origin)
    raw = operation.params.get("FunctionName")
    name = None if raw is None else lambdas.function_name(
        str(raw), account_id=identity.account_id, region=operation.region, qualifier=operation.params.get("Qualifier"))
    if name is not None and name.account_id != identity.account_id:
        # INVARIANT: another account's functions are never read (its owner's policy would have to allow the call).
        raise lambdas.LambdaError(lambdas.NOT_FOUND.format(arn=name.arn), code="ResourceNotFoundException", status=404)
    return LambdaCall(identity, operation, name, payload)


def serve_lambda_call(*, identity: Identity, incoming: IncomingRequest, payload: bytes,
                      info: CallInfo) -> HttpResponse:
    """Parse, validate, authorize, answer and record one Lambda call."""
    try:
        operation = parse_lambda_call(incoming, payload, info.region)
    except OperationError as unparsed:
        return lambda_error(unparsed.code, unparsed.message, info.request_id, 400)
    answer_for = ANSWERS.get(operation.name)
    if answer_for is None:
        return lambda_error("UnknownOperationException", NOT_AVAILABLE.format(action=operation.name),
                            info.request_id, 400)
    record = operation.name not in NOT_DATA_EVENTS
    parameters = cloudtrail_parameters(
        {k: v for k, v in operation.params.items() if k not in ("Code", "Payload")}, hidden=("Environment",))
    try:
        response = answer_for(_prepare(identity, operation, info, payload))
    except (AwsError, OperationError) as failed:
        error = failed if isinstance(failed, AwsError) else AwsError(failed.message, code=failed.code, status=400)
        if isinstance(failed, AccessDenied):
            error = AwsError(failed.message, code="AccessDeniedException", status=403)
        if record:
            record_service_call(identity, operation, info, error=error, parameters=parameters)
        return lambda_error(error.code, error.message, info.request_id, error.status)
    if record:
        record_service_call(identity, operation, info, error=None, parameters=parameters)
    response["x-amzn-RequestId"] = info.request_id
    return response


def _json(answer: Mapping[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(answer), status=status, content_type="application/json")


def _function(call: LambdaCall) -> Any:
    assert call.name is not None
    return lambdas.function_get(call.name)


def _create(call: LambdaCall) -> HttpResponse:
    assert call.name is not None
    now = sandbox_now(call.name.account_id)
    created = lambdas.function_create(name=call.name, params=call.operation.params, now=now)
    return _json(lambdas.configuration_shape(created), 201)


def _update(call: LambdaCall) -> HttpResponse:
    function = lambdas.function_update_configuration(
        _function(call), call.operation.params, sandbox_now(call.identity.account_id))
    return _json(lambdas.configuration_shape(function))


def _delete(call: LambdaCall) -> HttpResponse:
    _function(call).delete()
    return HttpResponse(status=204)


def _list(call: LambdaCall) -> HttpResponse:
    params = call.operation.params
    return _json(lambdas.function_list(account_id=call.identity.account_id, region=call.operation.region,
                                       marker=params.get("Marker"), max_items=params.get("MaxItems")))


def _invoke(call: LambdaCall) -> HttpResponse:
    function = _function(call)
    kind = call.operation.params.get("InvocationType") or "RequestResponse"
    if kind == "DryRun":
        return HttpResponse(status=204)
    if kind == "Event":
        return HttpResponse(status=202)
    response = HttpResponse(lambdas.function_invoke(function, call.payload), content_type="application/json")
    response["X-Amz-Executed-Version"] = "$LATEST"
    return response


ANSWERS: dict[str, Callable[[LambdaCall], HttpResponse]] = {
    "CreateFunction": _create,
    "GetFunction": lambda call: _json(lambdas.function_shape(_function(call))),
    "GetFunctionConfiguration": lambda call: _json(lambdas.configuration_shape(_function(call))),
    "UpdateFunctionConfiguration": _update,
    "DeleteFunction": _delete,
    "ListFunctions": _list,
    "Invoke": _invoke,
}
