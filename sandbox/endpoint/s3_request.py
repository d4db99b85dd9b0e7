"""S3 REST requests, path style under the `/aws` mount: method, path and query -> botocore's operation and parameters.

`/aws/` is the service (ListBuckets), `/aws/BUCKET` a bucket, `/aws/BUCKET/KEY...` an object whose key is the rest of
the path, percent-decoded exactly once. The operation is found the way S3 routes it: by method, by whether a key is
present, and by the sub-resource in the query (`?policy`, `?list-type=2`, `?tagging`...), and among those by the
parameters it requires (`uploadId`, `partNumber`, `x-amz-copy-source`); every name and parameter comes from botocore's
S3 model, so an operation the sandbox does not serve is still named correctly in its error.
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import botocore.parsers
import botocore.session
from botocore.model import OperationModel, Shape

from sandbox.operations import Operation, OperationError

MOUNT_PATH = "/aws"
MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"
# Query parameters that carry a presigned URL's signature: they are not part of the operation.
SIGNATURE_PARAMS = frozenset(
    {
        "x-amz-algorithm", "x-amz-credential", "x-amz-signature", "x-amz-date", "x-amz-signedheaders",
        "x-amz-expires", "x-amz-security-token", "awsaccesskeyid", "signature", "expires",
    }
)
_MODEL = botocore.session.get_session().get_service_model("s3")


@dataclass(frozen=True, slots=True)
class _Route:
    """How S3 recognises one operation: its method, the path shape and what the query and headers must hold."""

    name: str
    method: str
    has_bucket: bool
    has_key: bool
    markers: tuple[tuple[str, str | None], ...]  # from the request URI: `?list-type=2` -> ("list-type", "2")
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]

    @property
    def weight(self) -> int:
        return len(self.markers) + len(self.required_query) + len(self.required_headers)


@dataclass(frozen=True, slots=True)
class S3Request:
    """One parsed S3 call; `query` is the request's query without signature parameters, as sent (decoded)."""

    operation: Operation
    bucket: str | None
    key: str | None
    query: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return self.operation.name

    def moto_path_and_query(self) -> str:
        """The path-style path and query for moto (bucket and key re-encoded, signature parameters left out)."""
        path = "/"
        if self.bucket is not None:
            path += urllib.parse.quote(self.bucket, safe="")
            if self.key:
                path += "/" + urllib.parse.quote(self.key, safe="/~")
        query = urllib.parse.urlencode(self.query, quote_via=urllib.parse.quote, safe="~")
        # `?policy`, `?delete` and the like are names without a value: S3 wants them without `=`.
        query = "&".join(part[:-1] if part.endswith("=") else part for part in query.split("&")) if query else ""
        return path + (f"?{query}" if query else "")


def _route(operation: OperationModel) -> _Route | None:
    uri = operation.http["requestUri"]
    path, _, query = uri.partition("?")
    if not (path == "/" or path.startswith("/{Bucket}")):
        return None  # WriteGetObjectResponse: served on another host
    pieces = (part.partition("=") for part in query.split("&") if part)
    markers = tuple((name, value if sep else None) for name, sep, value in pieces)
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    required = shape.required_members if shape is not None else []
    located = [(members[name].serialization.get("location"), members[name].serialization.get("name", name))
               for name in required]
    return _Route(
        name=operation.name,
        method=operation.http["method"],
        has_bucket=path != "/",
        has_key="{Key+}" in path,
        markers=markers,
        required_query=tuple(name for location, name in located if location == "querystring"),
        required_headers=tuple(name.lower() for location, name in located if location == "header"),
    )


_ROUTES = tuple(route for name in _MODEL.operation_names if (route := _route(_MODEL.operation_model(name))))


def _matches(route: _Route, method: str, bucket: str | None, key: str | None, query: dict[str, str],
             headers: set[str]) -> bool:
    if route.method != method or route.has_bucket != (bucket is not None) or route.has_key != bool(key):
        return False
    if any(name not in query or (value is not None and query[name] != value) for name, value in route.markers):
        return False
    return all(name in query for name in route.required_query) and all(
        name in headers for name in route.required_headers
    )


def operation_name(method: str, bucket: str | None, key: str | None, query: dict[str, str], headers: set[str],
                   *, preferred: frozenset[str]) -> str:
    """The botocore operation a request is; among equally specific ones, one in `preferred` (ListBuckets)."""
    candidates = [route for route in _ROUTES if _matches(route, method, bucket, key, query, headers)]
    if not candidates:
        raise OperationError("MethodNotAllowed", "The specified method is not allowed against this resource.")
    best = max(candidates, key=lambda route: (route.weight, route.name in preferred))
    return best.name


def split_path(url: str) -> tuple[str | None, str | None]:
    """`/aws/BUCKET/KEY` -> bucket, key (each percent-decoded once); None when the path has no bucket or key."""
    path = urllib.parse.urlsplit(url).path
    rest = path[len(MOUNT_PATH):] if path.startswith(MOUNT_PATH) else path
    rest = rest[1:] if rest.startswith("/") else rest
    if not rest:
        return None, None
    bucket, slash, key = rest.partition("/")
    return urllib.parse.unquote(bucket), (urllib.parse.unquote(key) if slash and key else None)


def query_pairs(url: str) -> tuple[tuple[str, str], ...]:
    """The query's (name, value) pairs, decoded, without a presigned URL's signature parameters."""
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    return tuple((name, value) for name, value in pairs if name.lower() not in SIGNATURE_PARAMS)


def parse_s3_request(
    *, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes, region: str,
    preferred: frozenset[str] = frozenset(),
) -> S3Request:
    """Parse a verified request (`body` already decoded from aws-chunked). Raises `OperationError`."""
    bucket, key = split_path(url)
    query = query_pairs(url)
    query_map = dict(query)
    header_map = {name.lower(): value for name, value in headers}
    name = operation_name(method, bucket, key, query_map, set(header_map), preferred=preferred)
    model = _MODEL.operation_model(name)
    params = _params(model, bucket, key, query_map, header_map, body)
    return S3Request(Operation("s3", name, params, region), bucket, key, query)


def _params(model: OperationModel, bucket: str | None, key: str | None, query: dict[str, str],
            headers: dict[str, str], body: bytes) -> dict[str, Any]:
    shape = model.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = {}
    uri = {"Bucket": bucket, "Key": key}
    for member, member_shape in shape.members.items():
        location = member_shape.serialization.get("location")
        wire = member_shape.serialization.get("name", member)
        value: Any = None
        if location == "uri":
            value = uri.get(wire)
        elif location == "querystring" and wire in query:
            value = _scalar(member_shape, query[wire])
        elif location == "header" and wire.lower() in headers:
            value = _scalar(member_shape, headers[wire.lower()])
        elif location == "headers":
            prefix = wire.lower()
            value = {name[len(prefix):]: text for name, text in headers.items() if name.startswith(prefix)} or None
        if value is not None:
            params[member] = value
    payload = shape.serialization.get("payload")
    if payload and body:
        value = _payload(shape.members[payload], body)
        if value is not None:
            params[payload] = value
    return params


def _scalar(shape: Shape, text: str) -> Any:
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise OperationError("InvalidArgument", f"`{text}` is not a valid number") from None
    if shape.type_name == "boolean":
        return text.lower() == "true"
    return text


def _payload(shape: Shape, body: bytes) -> Any:
    """The body as the payload member: an XML structure parsed by its shape, a string as text; a blob is left out."""
    if shape.type_name == "structure":
        parser = botocore.parsers.RestXMLParser()
        try:
            return parser._parse_shape(shape, parser._parse_xml_string_to_dom(body))
        except (botocore.parsers.ResponseParserError, ValueError, KeyError, TypeError):
            raise OperationError("MalformedXML", MALFORMED_XML) from None
    if shape.type_name == "string":
        return body.decode("utf-8", "replace")
    return None
