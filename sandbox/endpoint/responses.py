"""AWS-shaped answers: errors in each protocol's dialect (Query XML, JSON, S3 XML), always with a request id."""
from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.http import HttpResponse

from sandbox.endpoint.sigv4_errors import Protocol

NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


def error_response(
    *, protocol: Protocol, service: str | None, code: str, message: str, status: int, request_id: str,
    sender: bool = True,
) -> HttpResponse:
    """An error as the service's own protocol writes it."""
    if protocol is Protocol.JSON:
        body = json.dumps({"__type": code, "message": message})
        response = HttpResponse(body, status=status, content_type=JSON_CONTENT_TYPE)
    elif protocol is Protocol.S3:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        )
        response = HttpResponse(body, status=status, content_type="application/xml")
    else:
        namespace = NAMESPACES.get(service or "", NAMESPACES["iam"])
        kind = "Sender" if sender else "Receiver"
        body = (
            f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        response = HttpResponse(body, status=status, content_type="text/xml")
    response["x-amzn-RequestId"] = request_id
    if protocol is Protocol.S3:
        response["x-amz-request-id"] = request_id
    return response


def query_response(*, service: str, action: str, result_xml: str, request_id: str) -> HttpResponse:
    """A successful Query answer: `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>`."""
    namespace = NAMESPACES[service]
    body = (
        f'<{action}Response xmlns="{namespace}"><{action}Result>{result_xml}</{action}Result>'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    )
    response = HttpResponse(body, content_type="text/xml")
    response["x-amzn-RequestId"] = request_id
    return response
