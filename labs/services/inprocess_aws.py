"""boto3 clients whose requests go to our `/aws` endpoint inside this process (no HTTP server needed).

Lab setups and reference solutions are "the ordered API calls" a learner would make: running them through real
boto3 and the real endpoint (SigV4, authorization, events) means they behave exactly as the learner's would.
botocore's `before-send` hook hands each prepared request to Django's test client and returns its answer.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from django.test import Client

HOST = "127.0.0.1"
ENDPOINT = f"http://{HOST}/aws"
REGION = "us-east-1"


class _Raw:
    """The minimal raw-response object botocore reads a body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _send(request: Any, **_: Any) -> AWSResponse:
    parts = urlsplit(request.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {f"HTTP_{key.upper().replace('-', '_')}": _text(value) for key, value in request.headers.items()
               if key.lower() not in ("content-type", "content-length")}
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    meta = {"QUERY_STRING": parts.query, "REQUEST_URI": target, **headers}
    response = Client(HTTP_HOST=HOST).generic(
        request.method, parts.path, data=body, content_type=_text(request.headers.get("Content-Type", "")), **meta,
    )
    answer_headers = {key: value for key, value in response.items()}
    return AWSResponse(request.url, response.status_code, answer_headers, _Raw(response.content))


def aws_client(service: str, *, access_key_id: str, secret_access_key: str, session_token: str | None = None,
               user_agent: str = "") -> Any:
    """A boto3 client for `service` signed with the given credentials, served by this process's endpoint."""
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=True,
                    **({"user_agent": user_agent} if user_agent else {}))
    client = boto3.client(
        service, endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key, aws_session_token=session_token, config=config,
    )
    client.meta.events.register_first("before-send", _send)
    return client
