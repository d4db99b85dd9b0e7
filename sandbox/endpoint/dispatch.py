"""Hand an already authorized API call to moto in-process, for one account, and take its answer back.

This is how moto's own botocore stubber serves a mocked client: the request is addressed to the service's AWS URL
(it never leaves the process: nothing is sent over a network), routed by moto's URL table, and the account is given
by our own `x-moto-account-id` header. Client-sent moto headers are dropped before we add ours.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


def moto_call(
    *, service: str, account_id: str, method: str, path_and_query: str, headers: Mapping[str, str], body: bytes
) -> MotoResponse:
    """Serve one request with moto's handlers for `account_id` (the caller holds the account's moto lock)."""
    from moto.core.botocore_stubber import BotocoreStubber

    clean = HTTPHeaders()
    for name, value in headers.items():
        if not name.lower().startswith(_DROPPED_PREFIXES):
            clean[name] = value
    clean["x-moto-account-id"] = account_id
    request = AWSPreparedRequest(
        method=method, url=SERVICE_HOSTS[service] + path_and_query, headers=clean, body=body, stream_output=False
    )
    answer = BotocoreStubber().process_request(request)
    if answer is None:
        return MotoResponse(404, {}, b"")
    status, response_headers, response_body = answer
    data = response_body.encode() if isinstance(response_body, str) else bytes(response_body or b"")
    return MotoResponse(int(status), {str(k): str(v) for k, v in dict(response_headers).items()}, data)
