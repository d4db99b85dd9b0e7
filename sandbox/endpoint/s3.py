"""S3 (REST, path style) through the endpoint: not served yet, so every call gets S3's own error document."""
from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from sandbox.endpoint import responses
from sandbox.endpoint.calls import NOT_AVAILABLE, CallInfo
from sandbox.endpoint.sigv4 import IncomingRequest, VerifiedRequest
from sandbox.endpoint.sigv4_errors import Protocol
from sandbox.identity import Identity


def serve_s3_call(
    *, identity: Identity, incoming: IncomingRequest, verified: VerifiedRequest[Any], info: CallInfo
) -> HttpResponse:
    return responses.error_response(
        protocol=Protocol.S3, service="s3", code="NotImplemented",
        message=NOT_AVAILABLE.format(service="s3", action=incoming.method), status=501, request_id=info.request_id,
    )
