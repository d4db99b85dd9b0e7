"""`/aws/`: the AWS-compatible endpoint the AWS CLI and boto3 talk to (SigV4 verified, every call authorized).

The one exception: AssumeRoleWithSAML and AssumeRoleWithWebIdentity, which AWS serves unsigned.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox.credentials import credential_lookup
from sandbox.endpoint import responses
from sandbox.endpoint.calls import CallInfo, parse_query_call, serve_iam_call, unsupported
from sandbox.endpoint.ec2_calls import serve_ec2_call
from sandbox.endpoint.json_services import JSON_SERVICES, serve_json_call
from sandbox.endpoint.lambda_calls import serve_lambda_call
from sandbox.endpoint.sigv4 import IncomingRequest, SigV4Error, url_from_environ, verify
from sandbox.endpoint.sigv4_errors import INVALID_CLIENT_TOKEN_ID, Protocol, protocol_for
from sandbox.endpoint.sts_calls import serve_federation_call, serve_sts_call, unsigned_federation_call
from sandbox.identity import Identity
from sandbox.operations import OperationError
from sandbox.request_memo import request_scope
from sandbox.sts.session_token import WITH_SESSION_CREDENTIALS, limits_for_session_token

MOUNT_PATH = "/aws"
DEFAULT_REGION = "us-east-1"  # an unsigned request names no region
# Objects live inside the account's stored state, so the sandbox caps a request body (the AWS CLI switches to
# multipart uploads above 8 MB, which the sandbox does not serve).
MAX_BODY_BYTES = 8 * 1024 * 1024
TOO_LARGE = "Your proposed upload exceeds the maximum allowed size of this training sandbox (8 MiB)"


class BodyTooLarge(Exception):
    """A request body over `MAX_BODY_BYTES`."""


def _read_body(request: HttpRequest) -> bytes:
    """The raw body, read past Django's form-size limit (which is for forms) up to our own limit.

    A body sent with `Transfer-Encoding: chunked` and no Content-Length (boto3 streaming uploads over https straight
    to gunicorn) is read from the WSGI input to its end, which gunicorn de-chunks.
    """
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    stream = request.META["wsgi.input"] if chunked and not request.META.get("CONTENT_LENGTH") else request
    body = stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge
    return bytes(body)


@csrf_exempt
def aws_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    """Verify the signature, find the caller, and serve the call in the protocol its service speaks."""
    with request_scope():
        return _serve(request)


def _serve(request: HttpRequest) -> HttpResponse:
    request_id = str(uuid.uuid4())
    try:
        body = _read_body(request)
    except BodyTooLarge:
        return responses.error_response(
            protocol=Protocol.S3, service="s3", code="EntityTooLarge", message=TOO_LARGE, status=400,
            request_id=request_id,
        )
    incoming = IncomingRequest.build(
        method=request.method or "GET", url=url_from_environ(request.META), headers=request.headers, body=body
    )
    if (federation := unsigned_federation_call(incoming, DEFAULT_REGION)) is not None:
        return serve_federation_call(call=federation, info=CallInfo(
            request_id=request_id, source_ip=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.headers.get("User-Agent", ""), region=DEFAULT_REGION, access_key_id="",
            secure=request.is_secure(),
        ))
    try:
        verified = verify(incoming, lookup=credential_lookup, now=datetime.now(UTC), mount_path=MOUNT_PATH)
    except SigV4Error as refused:
        return responses.error_response(
            protocol=refused.protocol, service=None, code=refused.code, message=refused.message,
            status=refused.status, request_id=request_id,
        )
    identity = verified.credential.owner.identity
    info = CallInfo(
        request_id=request_id,
        source_ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.headers.get("User-Agent", ""),
        region=verified.region or "us-east-1",
        access_key_id=verified.access_key_id,
        secure=request.is_secure(),
    )
    service = verified.service
    if service == "s3":
        from sandbox.endpoint.s3 import serve_s3_call

        return serve_s3_call(identity=identity, incoming=incoming, verified=verified, info=info)
    if service in JSON_SERVICES:
        return serve_json_call(identity=identity, service=service, incoming=incoming, verified=verified, info=info)
    if service == "ec2":
        return serve_ec2_call(identity=identity, incoming=incoming, payload=verified.payload, info=info)
    if service == "lambda":
        return serve_lambda_call(identity=identity, incoming=incoming, payload=verified.payload, info=info)
    if service not in ("iam", "sts"):
        return unsupported(service, request.headers.get("X-Amz-Target", request.method or ""), info)
    try:
        call = parse_query_call(service, incoming.method, incoming.url, verified.payload, info.region)
    except OperationError as error:
        return responses.error_response(
            protocol=protocol_for(service), service=service, code=error.code, message=error.message, status=400,
            request_id=request_id,
        )
    if (refusal := _session_token_refusal(identity, service, call.operation.name, request_id)) is not None:
        return refusal
    if service == "sts":
        return serve_sts_call(identity=identity, call=call, info=info)
    return serve_iam_call(identity=identity, call=call, body=verified.payload, info=info)


def _session_token_refusal(identity: Identity, service: str, action: str, request_id: str) -> HttpResponse | None:
    """GetSessionToken credentials cannot call IAM without MFA, nor STS beyond AssumeRole and GetCallerIdentity."""
    code = limits_for_session_token(identity, service, action)
    if code is None:
        return None
    message = INVALID_CLIENT_TOKEN_ID if code == "InvalidClientTokenId" else WITH_SESSION_CREDENTIALS
    if action != "GetSessionToken" and code == "AccessDenied":
        message = f"User: {identity.arn} is not authorized to perform: {service}:{action} with session credentials"
    status = 403
    return responses.error_response(
        protocol=protocol_for(service), service=service, code=code, message=message, status=status,
        request_id=request_id,
    )



