"""Hand an already authorized API call to moto in-process, for one account, and take its answer back.

This is how moto's own botocore stubber serves a mocked client: the request is addressed to the service's AWS URL
(it never leaves the process: nothing is sent over a network), routed by moto's URL table, and the account is given
by our own `x-moto-account-id` header. Client-sent moto headers are dropped before we add ours.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders

SERVICE_HOSTS = {
    "iam": "https://iam.amazonaws.com",
    "sts": "https://sts.amazonaws.com",
    "s3": "https://s3.amazonaws.com",
}
# Headers a client must not pass through to moto (they would pick another account or switch moto behaviour).
_DROPPED_PREFIXES = ("x-moto-", "x-amz-security-token", "authorization")


@dataclass(frozen=True, slots=True)
class MotoResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@lru_cache(maxsize=16)
def _handlers(service: str) -> tuple[tuple[re.Pattern[str], Callable[..., Any]], ...]:
    """moto's URL table for a service, resolved once per process (moto's stubber scans every service per call)."""
    import moto.backends as backends
    from moto.core import DEFAULT_ACCOUNT_ID

    backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
    account_backends = backend_dict[DEFAULT_ACCOUNT_ID]
    backend = account_backends["us-east-1"] if "us-east-1" in account_backends else account_backends["aws"]
    return tuple((re.compile(url), handler) for url, handler in backend.urls.items())


def moto_call(
    *, service: str, account_id: str, method: str, path_and_query: str, headers: Mapping[str, str], body: bytes
) -> MotoResponse:
    """Serve one request with moto's handlers for `account_id` (the caller holds the account's moto lock)."""
    from moto.core.exceptions import HTTPException
    from moto.core.request import normalize_request

    clean = HTTPHeaders()
    for name, value in headers.items():
        if not name.lower().startswith(_DROPPED_PREFIXES):
            clean[name] = value
    clean["x-moto-account-id"] = account_id
    url = SERVICE_HOSTS[service] + path_and_query
    request = AWSPreparedRequest(method=method, url=url, headers=clean, body=body, stream_output=False)
    path_only = url.split("?", 1)[0]
    for pattern, handler in _handlers(service):
        if pattern.match(path_only):
            normalized = normalize_request(request)
            try:
                status, response_headers, response_body = handler(
                    normalized, normalized.raw_url, normalized.headers
                )
            except HTTPException as error:
                status, response_headers, response_body = error.code, error.get_headers(), error.get_body()
            except NotImplementedError:
                return not_implemented(service, method)
            return _response(status, response_headers, response_body)
    return MotoResponse(404, {}, b"")


IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"


def iam_error(code: str, message: str, status: int) -> MotoResponse:
    """An IAM (Query protocol) error answer, shaped like moto's, for checks the sandbox makes itself."""
    body = (
        f'<ErrorResponse xmlns="{IAM_NAMESPACE}"><Error><Type>Sender</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>-</RequestId></ErrorResponse>"
    )
    return MotoResponse(status, {"Content-Type": "text/xml"}, body.encode())


def iam_ok(action: str) -> MotoResponse:
    """An IAM answer with no result element (Put*/Delete* calls)."""
    body = (
        f'<{action}Response xmlns="{IAM_NAMESPACE}"><ResponseMetadata><RequestId>-</RequestId>'
        f"</ResponseMetadata></{action}Response>"
    )
    return MotoResponse(200, {"Content-Type": "text/xml"}, body.encode())


def not_implemented(service: str, method: str) -> MotoResponse:
    """moto has no handler for this call: an AWS-style error instead of a server error."""
    message = "this call is not available in this training sandbox yet"
    if service == "s3":
        body = f"<Error><Code>NotImplemented</Code><Message>{message}</Message></Error>"
        return MotoResponse(501, {"Content-Type": "application/xml"}, body.encode())
    return iam_error("InvalidAction", message, 400)


def _response(status: int, headers: Any, body: Any) -> MotoResponse:
    data = body.encode() if isinstance(body, str) else bytes(body or b"")
    return MotoResponse(int(status), {str(k): str(v) for k, v in dict(headers).items()}, data)
