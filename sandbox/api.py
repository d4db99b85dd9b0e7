"""IAM API calls made by the console on the signed-in identity's behalf: the endpoint's own pipeline, in process.

Every console action that changes or reads IAM goes through here, so it is authorized by the engine, applied,
and recorded exactly as the same call from the AWS CLI would be. Answers come back as boto3 would parse them;
refusals raise AwsError (an AccessDenied carries the engine's evaluation in `extra["evaluation"]`).
"""
from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any

import botocore.parsers
import botocore.serialize
import botocore.session

from sandbox.endpoint.calls import CallFailed, CallInfo, parse_query_call, perform_iam_call
from sandbox.errors import AwsError
from sandbox.identity import Identity

CONSOLE_USER_AGENT = "iam-training-console"
REGION = "us-east-1"
_MODEL = botocore.session.get_session().get_service_model("iam")
_SERIALIZER = botocore.serialize.create_serializer("query", include_validation=True)
_PARSER = botocore.parsers.create_parser("query")


def iam_call(identity: Identity, action: str, params: Mapping[str, Any] | None = None, *,
             user_agent: str = CONSOLE_USER_AGENT) -> dict[str, Any]:
    """Perform IAM `action` with `params` (boto3's shapes) as `identity`; the parsed answer, or AwsError."""
    operation_model = _MODEL.operation_model(action)
    try:
        serialized = _SERIALIZER.serialize_to_request(dict(params or {}), operation_model)
    except botocore.exceptions.ParamValidationError as error:
        raise AwsError(str(error), code="ValidationError", status=400) from error
    body = _form_body(serialized["body"])
    info = CallInfo(
        request_id=str(uuid.uuid4()), source_ip=identity.source_ip, user_agent=user_agent, region=REGION,
        access_key_id=identity.session.access_key_id if identity.session else "", secure=identity.secure_transport,
    )
    call = parse_query_call("iam", "POST", "https://iam.amazonaws.com/", body, REGION)
    try:
        answer = perform_iam_call(identity=identity, call=call, body=body, info=info)
    except CallFailed as failed:
        parsed = _parse(failed.response.status, failed.response.body, operation_model)
        details = parsed.get("Error", {})
        raise AwsError(str(details.get("Message", "")), code=str(details.get("Code", "ServiceFailure")),
                       status=failed.response.status) from None
    parsed = _parse(answer.status, answer.body, operation_model)
    parsed.pop("ResponseMetadata", None)
    return _decoded_documents(parsed)


def _decoded_documents(value: Any) -> Any:
    """Policy documents as JSON text: IAM URL-encodes them in some answers (GetRole, GetRolePolicy...), not others.

    (boto3 goes further and parses them into objects; console code works with the text.)
    """
    if isinstance(value, dict):
        return {key: (urllib.parse.unquote(item) if key.endswith("Document") and isinstance(item, str)
                      and item[:3].upper() == "%7B" else _decoded_documents(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded_documents(item) for item in value]
    return value


def _form_body(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, Mapping):
        return urllib.parse.urlencode(body).encode()
    return str(body).encode()


def _parse(status: int, body: bytes, operation_model: Any) -> dict[str, Any]:
    response = {"status_code": status, "headers": {}, "body": body}
    return dict(_PARSER.parse(response, operation_model.output_shape))
