"""Hand an authorized S3 call to moto for the bucket owner's account, and turn moto's answer into S3's HTTP response."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.http import HttpResponse

from sandbox.endpoint.dispatch import MotoResponse, moto_call
from sandbox.endpoint.s3_request import S3Request

# Request headers moto must not see: framing that no longer describes the decoded body (aws-chunked, trailers), and
# headers of our own hop. The signature is checked already; `dispatch` drops Authorization and the session token.
_DROPPED_REQUEST_HEADERS = frozenset(
    {
        "host", "content-length", "transfer-encoding", "expect", "connection", "x-amz-content-sha256",
        "x-amz-decoded-content-length", "x-amz-trailer", "x-amz-date",
    }
)
_DROPPED_RESPONSE_HEADERS = frozenset(
    {"server", "date", "x-amzn-requestid", "content-length", "transfer-encoding", "connection", "content-type"}
)
_REQUEST_ID = re.compile(rb"<RequestId>[^<]*</RequestId>")
# moto answers these with 200 and a body of its own; S3 answers 204 No Content.
_NO_CONTENT = frozenset({"PutBucketPolicy", "DeleteBucketPolicy", "DeleteBucketTagging", "DeleteObject"})
_engine_decides = False


def _defer_bucket_policies_to_engine() -> None:
    """moto applies a bucket policy's Deny to object calls whoever the Principal is, and refuses GetObject on a
    private object when the request carries no Authorization header (it never does here: `dispatch` drops it).
    The engine has already decided with the real rules, so moto is told every call it sees is permitted."""
    global _engine_decides
    if _engine_decides:
        return
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    def permitted(self: FakeBucket, action: str, resource: str) -> PermissionResult:
        return PermissionResult.PERMITTED

    FakeBucket.get_permission = permitted  # type: ignore[method-assign]
    _engine_decides = True


def moto_headers(
    headers: Iterable[tuple[str, str]], payload: bytes, trailers: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """The client's headers as moto should see them, for the decoded `payload`."""
    kept: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        if lower in _DROPPED_REQUEST_HEADERS:
            continue
        if lower == "content-encoding":
            codings = [c.strip() for c in value.split(",") if c.strip() and c.strip().lower() != "aws-chunked"]
            if not codings:
                continue
            value = ", ".join(codings)
        kept[name] = value
    for name, value in trailers:  # e.g. x-amz-checksum-crc32, sent after the chunks
        kept[name] = value
    kept["Content-Length"] = str(len(payload))
    return kept


def serve_with_moto(
    request: S3Request, *, account_id: str, method: str, headers: Iterable[tuple[str, str]], payload: bytes,
    trailers: Iterable[tuple[str, str]] = (),
) -> MotoResponse:
    """Serve the call with moto's S3 handlers in `account_id` (the caller holds that account's reader or writer)."""
    _defer_bucket_policies_to_engine()
    return moto_call(
        service="s3", account_id=account_id, method=method, path_and_query=request.moto_path_and_query(),
        headers=moto_headers(headers, payload, trailers), body=payload,
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def s3_http_response(answer: MotoResponse, *, operation: str, method: str, request_id: str) -> HttpResponse:
    """moto's answer as S3 sends it: its headers and body, our request id, the right Content-Length."""
    status, body = answer.status, answer.body
    if status == 200 and operation in _NO_CONTENT:
        status, body = 204, b""
    if status >= 400:
        body = _REQUEST_ID.sub(b"<RequestId>" + request_id.encode() + b"</RequestId>", body, count=1)
    content_type = _header(answer.headers, "Content-Type")
    response = HttpResponse(body, status=status, content_type=content_type or "application/xml")
    if not content_type and not body:
        del response["Content-Type"]
    for name, value in answer.headers.items():
        if name.lower() not in _DROPPED_RESPONSE_HEADERS:
            response[name] = value
    # HEAD carries the object's length without the object; everything else the length of what is sent.
    length = _header(answer.headers, "Content-Length") if method == "HEAD" else None
    response["Content-Length"] = length if length is not None else str(len(body))
    response["x-amz-request-id"] = request_id
    response["x-amz-id-2"] = request_id
    return response
