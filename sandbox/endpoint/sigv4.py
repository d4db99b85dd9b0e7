"""Verify AWS Signature Version 4 on requests to the /aws/ endpoint, using botocore's own canonicalization.

`verify(request, lookup=..., now=...)` returns a `VerifiedRequest` or raises `SigV4Error` (see `sigv4_errors`).
It checks, in this order: the shape of the Authorization header or of the presigned query parameters, that `host`
(and, for S3, every `x-amz-*` header) is signed, the clock (15 minutes either way, or the presigned URL's
X-Amz-Expires), the access key, its session token and expiry, the payload hash, the signature, and finally an S3
aws-chunked body (chunk signatures, declared length).

Also accepted: S3's legacy query-string V2 URLs (`?AWSAccessKeyId=&Signature=&Expires=`), which is what boto3's
`generate_presigned_url` still produces for `us-east-1` unless the client is configured with `s3v4`.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from botocore.auth import (
    EMPTY_SHA256_HASH,
    SIGV4_TIMESTAMP,
    S3SigV4Auth,
    S3SigV4QueryAuth,
    SigV4Auth,
    SigV4QueryAuth,
)
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import ReadOnlyCredentials

from sandbox.endpoint.sigv4_chunked import (  # noqa: F401 - re-exported
    AwsChunk,
    AwsChunkedBody,
    AwsChunkedError,
    decode_aws_chunked,
    parse_aws_chunked,
)
from sandbox.endpoint.sigv4_errors import (
    AUTHORIZATION_REQUIRES_CREDENTIAL,
    AUTHORIZATION_REQUIRES_DATE,
    AUTHORIZATION_REQUIRES_SIGNATURE,
    AUTHORIZATION_REQUIRES_SIGNED_HEADERS,
    EXPIRES_NEGATIVE,
    EXPIRES_NOT_A_NUMBER,
    EXPIRES_TOO_LARGE,
    Failure,
    Protocol,
    SigV4Error,
    protocol_for,
)

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
MAX_SKEW = timedelta(minutes=15)
MAX_PRESIGNED_EXPIRES = 7 * 24 * 3600
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_UNSIGNED_PAYLOAD_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_SIGNED_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_PAYLOAD_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
_STREAMING = frozenset({STREAMING_UNSIGNED_PAYLOAD_TRAILER, STREAMING_SIGNED_PAYLOAD, STREAMING_SIGNED_PAYLOAD_TRAILER})
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
_BASIC_TIMESTAMP = re.compile(r"\d{8}T\d{6}Z")
_PRESIGNED_PARAMETERS = (
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"
)

OwnerT = TypeVar("OwnerT")


@dataclass(frozen=True, slots=True, kw_only=True)
class Credential(Generic[OwnerT]):
    """An access key as the caller stores it. `owner` is whatever the caller wants back (a user, an STS session).

    A temporary key has a `session_token`; `expires_at` (timezone-aware) ends any key's validity.
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    owner: OwnerT
    session_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """An HTTP request exactly as it arrived.

    `url` is scheme://host[:port] followed by the path and query *as the client sent them* (percent-encoding
    intact, `/aws` prefix included): the client signed those bytes. Build it with `url_from_environ(request.META)`,
    not from Django's decoded `request.path`. `headers` are (name, value) pairs, matched case-insensitively; the
    `Host` header must be the one the client sent (a proxy in front must preserve it). `body` is the raw body.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def build(
        cls,
        *,
        method: str,
        url: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> IncomingRequest:
        """From a mapping (e.g. Django's `request.headers`) or pairs of headers."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls(method.upper(), url, tuple((str(name), str(value)) for name, value in pairs), body)

    def header(self, name: str) -> str | None:
        """A header's value; a repeated header's values joined with commas, as HTTP allows."""
        wanted = name.lower()
        values = [value for key, value in self.headers if key.lower() == wanted]
        return ",".join(values) if values else None


@dataclass(frozen=True, slots=True)
class VerifiedRequest(Generic[OwnerT]):
    """A request whose signature checked out, and what it was signed with."""

    credential: Credential[OwnerT]
    service: str
    region: str | None  # None for a legacy S3 V2 URL, which names no region
    signed_at: datetime | None  # X-Amz-Date; None for a legacy S3 V2 URL, which only carries its expiry
    signed_headers: tuple[str, ...]
    presigned: bool
    signature_version: int  # 4, or 2 for a legacy S3 presigned URL
    payload: bytes  # the body; for an aws-chunked upload, the decoded object bytes
    trailers: tuple[tuple[str, str], ...] = ()  # aws-chunked trailing headers, e.g. ("x-amz-checksum-crc32", "...")
    expires_at: datetime | None = None  # presigned URLs only

    @property
    def access_key_id(self) -> str:
        return self.credential.access_key_id


def verify(
    request: IncomingRequest,
    *,
    lookup: Callable[[str], Credential[OwnerT] | None],
    now: datetime,
    mount_path: str = "",
) -> VerifiedRequest[OwnerT]:
    """Check a request's SigV4 signature (header or presigned URL) against the secret `lookup` returns for its key.

    `now` must be timezone-aware. Raises `SigV4Error`. A request with no signature at all raises
    `Failure.MISSING_AUTHENTICATION` in Query wording (MissingAuthenticationToken); a caller that routed it to S3
    should treat it as anonymous, or use `error.as_protocol(Protocol.S3)` (AccessDenied). `mount_path` is where the
    endpoint lives (`"/aws"`): only legacy S3 V2 URLs need it, as they sign `/bucket/key` without it.
    """
    now = _utc(now)
    query = _query_pairs(request.url)
    names = {name for name, _ in query}
    authorization = request.header("Authorization")
    if authorization is None and {"AWSAccessKeyId", "Signature", "Expires"} <= names and "X-Amz-Algorithm" not in names:
        from sandbox.endpoint.sigv4_legacy import verify_v2  # imports this module: loaded on first use

        return verify_v2(request, query, lookup=lookup, now=now, mount_path=mount_path)
    auth = _parse(request, dict(reversed(query)), authorization)
    _check_signed_headers(request, auth)
    _check_time(auth, now)
    credential = lookup(auth.access_key_id)
    if credential is None:
        raise auth.error(Failure.UNKNOWN_ACCESS_KEY, details={"AWSAccessKeyId": auth.access_key_id})
    _check_session(credential, auth.session_token, now, auth.error)
    content_sha256 = _content_sha256(request, auth)
    chunk_signer = _check_signature(request, auth, query, credential, content_sha256)
    payload, trailers = _payload(request, auth, content_sha256, chunk_signer)
    return VerifiedRequest(
        credential=credential,
        service=auth.service,
        region=auth.region,
        signed_at=auth.signed_at,
        signed_headers=auth.signed_headers,
        presigned=auth.presigned,
        signature_version=4,
        payload=payload,
        trailers=trailers,
        expires_at=auth.signed_at + timedelta(seconds=auth.expires) if auth.expires is not None else None,
    )


def url_from_environ(environ: Mapping[str, Any]) -> str:
    """The URL as the client addressed it, from Django's `request.META` (the WSGI environ, as Django leaves it).

    The path comes from `RAW_URI` (gunicorn) or `REQUEST_URI` (uWSGI, mod_wsgi) when the server provides it. Otherwise
    (runserver, the test client) it is rebuilt from PATH_INFO, which Django has replaced with decoded text, quoted
    the way botocore quotes paths: exact for botocore clients except for an encoded slash (`%2F`), which decoding
    loses. (A raw PEP 3333 environ that never went through Django carries latin-1 strings instead: not supported.)
    """
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if not raw.startswith("/"):  # absolute-form request target: http://host/path?query
            parts = urlsplit(raw)
            raw = parts.path + (f"?{parts.query}" if parts.query else "")
        return f"{scheme}://{host}{raw}"
    path = f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
    query = environ.get("QUERY_STRING", "")
    return f"{scheme}://{host}{quote(path.encode('utf-8'), safe='/~')}" + (f"?{query}" if query else "")


# Parsing what the client sent --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Auth:
    presigned: bool
    access_key_id: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # X-Amz-Date, basic ISO 8601, as signed
    signed_at: datetime
    expires: int | None
    session_token: str | None

    @property
    def protocol(self) -> Protocol:
        return protocol_for(self.service)

    def error(
        self, failure: Failure, fields: Mapping[str, str] | None = None, details: Mapping[str, str] | None = None
    ) -> SigV4Error:
        return SigV4Error(failure, protocol=self.protocol, presigned=self.presigned, fields=fields, details=details)


def _parse(request: IncomingRequest, params: Mapping[str, str], authorization: str | None) -> _Auth:
    presigned = any(name in params for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"))
    if authorization is None and not presigned:
        raise SigV4Error(Failure.MISSING_AUTHENTICATION, protocol=Protocol.QUERY)
    if authorization is not None and presigned:
        credential = params.get("X-Amz-Credential") or _authorization_params(authorization)[1].get("Credential")
        raise SigV4Error(Failure.AMBIGUOUS_AUTHENTICATION, protocol=protocol_for(_scope_service(credential)))
    if authorization is None:
        return _parse_presigned(params)
    return _parse_authorization(request, authorization)


def _parse_authorization(request: IncomingRequest, authorization: str) -> _Auth:
    algorithm, params = _authorization_params(authorization)
    credential = params.get("Credential", "")
    # `AWS key:signature` is SigV2 header signing, which only S3 ever accepted.
    protocol = Protocol.S3 if algorithm == "AWS" else protocol_for(_scope_service(credential))
    fail = partial(SigV4Error, protocol=protocol)
    if algorithm != ALGORITHM:
        raise fail(Failure.UNSUPPORTED_ALGORITHM, fields={"algorithm": algorithm})
    has_date = request.header("X-Amz-Date") is not None or request.header("Date") is not None
    required = (
        ("Credential", AUTHORIZATION_REQUIRES_CREDENTIAL),
        ("Signature", AUTHORIZATION_REQUIRES_SIGNATURE),
        ("SignedHeaders", AUTHORIZATION_REQUIRES_SIGNED_HEADERS),
    )
    missing = [text for name, text in required if not params.get(name)]
    missing += [] if has_date else [AUTHORIZATION_REQUIRES_DATE]
    if missing:
        failure = Failure.INCOMPLETE_SIGNATURE if len(missing) > 1 or has_date else Failure.MISSING_DATE
        raise fail(failure, fields={"requirements": " ".join(missing), "authorization": authorization})
    access_key_id, scope_date, region, service = _scope(credential, fail)
    timestamp, signed_at = _header_timestamp(request, fail)
    _check_scope_date(scope_date, timestamp, fail)
    return _Auth(
        presigned=False,
        access_key_id=access_key_id,
        region=region,
        service=service,
        signed_headers=_signed_headers(params["SignedHeaders"]),
        signature=params["Signature"],
        timestamp=timestamp,
        signed_at=signed_at,
        expires=None,
        session_token=request.header("X-Amz-Security-Token"),
    )


def _parse_presigned(params: Mapping[str, str]) -> _Auth:
    fail = partial(SigV4Error, protocol=protocol_for(_scope_service(params.get("X-Amz-Credential"))), presigned=True)
    algorithm = params.get("X-Amz-Algorithm")
    if algorithm is not None and algorithm != ALGORITHM:
        raise fail(Failure.UNSUPPORTED_ALGORITHM, fields={"algorithm": algorithm})
    missing = [name for name in _PRESIGNED_PARAMETERS if not params.get(name)]
    if missing:
        raise fail(Failure.INCOMPLETE_SIGNATURE, fields={"missing": ", ".join(f"'{name}'" for name in missing)})
    access_key_id, scope_date, region, service = _scope(params["X-Amz-Credential"], fail)
    timestamp, signed_at = _basic_timestamp(params["X-Amz-Date"], fail)
    _check_scope_date(scope_date, timestamp, fail)
    return _Auth(
        presigned=True,
        access_key_id=access_key_id,
        region=region,
        service=service,
        signed_headers=_signed_headers(params["X-Amz-SignedHeaders"]),
        signature=params["X-Amz-Signature"],
        timestamp=timestamp,
        signed_at=signed_at,
        expires=_expires(params["X-Amz-Expires"], fail),
        session_token=params.get("X-Amz-Security-Token"),
    )


def _authorization_params(authorization: str) -> tuple[str, dict[str, str]]:
    """`AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` -> (algorithm, {name: value})."""
    algorithm, _, rest = authorization.strip().partition(" ")
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            params.setdefault(name.strip(), value.strip())
    return algorithm, params


def _scope_service(credential: str | None) -> str | None:
    parts = (credential or "").split("/")
    return parts[-2] if len(parts) >= 5 else None


def _scope(credential: str, fail: Callable[..., SigV4Error]) -> tuple[str, str, str, str]:
    """`AKID/20240101/us-east-1/iam/aws4_request` -> (key id, date, region, service)."""
    parts = credential.split("/")
    if len(parts) != 5:
        raise fail(Failure.MALFORMED_CREDENTIAL, fields={"credential": credential})
    access_key_id, scope_date, region, service, terminator = parts
    if terminator != TERMINATOR:
        raise fail(Failure.INVALID_TERMINATOR, fields={"terminator": terminator})
    return access_key_id, scope_date, region, service


def _signed_headers(value: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in value.split(";") if name.strip())


def _header_timestamp(request: IncomingRequest, fail: Callable[..., SigV4Error]) -> tuple[str, datetime]:
    amz_date = request.header("X-Amz-Date")
    if amz_date is not None:
        return _basic_timestamp(amz_date.strip(), fail)
    http_date = request.header("Date") or ""
    try:
        parsed = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        raise fail(Failure.INVALID_DATE, fields={"date": http_date}) from None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return parsed.strftime(SIGV4_TIMESTAMP), parsed


def _basic_timestamp(value: str, fail: Callable[..., SigV4Error]) -> tuple[str, datetime]:
    try:
        if not _BASIC_TIMESTAMP.fullmatch(value):
            raise ValueError(value)
        return value, datetime.strptime(value, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        raise fail(Failure.INVALID_DATE, fields={"date": value}) from None


def _check_scope_date(scope_date: str, timestamp: str, fail: Callable[..., SigV4Error]) -> None:
    if scope_date != timestamp[:8]:
        fields = {"scope_date": scope_date, "date": timestamp[:8], "timestamp": timestamp}
        raise fail(Failure.SCOPE_DATE_MISMATCH, fields=fields)


def _expires(value: str, fail: Callable[..., SigV4Error]) -> int:
    try:
        expires = int(value)
    except ValueError:
        raise fail(Failure.INVALID_EXPIRES, fields={"reason": EXPIRES_NOT_A_NUMBER}) from None
    if expires < 0:
        raise fail(Failure.INVALID_EXPIRES, fields={"reason": EXPIRES_NEGATIVE})
    if expires > MAX_PRESIGNED_EXPIRES:
        raise fail(Failure.INVALID_EXPIRES, fields={"reason": EXPIRES_TOO_LARGE})
    return expires


def _query_pairs(url: str) -> tuple[tuple[str, str], ...]:
    """The query's (name, value) pairs, percent-decoded (`+` stays a plus: botocore encodes spaces as %20)."""
    pairs = []
    for segment in urlsplit(url).query.split("&"):
        if segment:
            name, _, value = segment.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return tuple(pairs)


# Checks before the signature ---------------------------------------------------------------------------------------


def _check_signed_headers(request: IncomingRequest, auth: _Auth) -> None:
    signed = set(auth.signed_headers)
    if "host" not in signed:
        raise auth.error(Failure.HOST_NOT_SIGNED, details={"HeadersNotSigned": "host"})
    if auth.protocol is Protocol.S3:
        # AWS S3: every x-amz-* header present must be signed, or anyone could add one to a captured request.
        present = {name.lower() for name, _ in request.headers if name.lower().startswith("x-amz-")}
        unsigned = sorted(present - signed)
        if unsigned:
            raise auth.error(Failure.HEADERS_NOT_SIGNED, details={"HeadersNotSigned": ", ".join(unsigned)})


def _check_time(auth: _Auth, now: datetime) -> None:
    """AWS: a signature is good for 15 minutes either side of the server's clock; a presigned URL until it expires."""
    if auth.expires is not None:
        expires_at = auth.signed_at + timedelta(seconds=auth.expires)
        if auth.signed_at > now + MAX_SKEW:
            fields = {"timestamp": auth.timestamp, "limit": _stamp(now + MAX_SKEW), "now": _stamp(now)}
            details = {"X-Amz-Date": auth.timestamp, "ServerTime": _iso(now)}
            raise auth.error(Failure.REQUEST_NOT_YET_VALID, fields=fields, details=details)
        if now > expires_at:
            details = {"X-Amz-Expires": str(auth.expires), "Expires": _iso(expires_at), "ServerTime": _iso(now)}
            raise auth.error(Failure.REQUEST_EXPIRED, details=details)
        return
    details = {"RequestTime": auth.timestamp, "ServerTime": _iso(now), "MaxAllowedSkewMilliseconds": "900000"}
    if auth.signed_at < now - MAX_SKEW:
        fields = {"timestamp": auth.timestamp, "limit": _stamp(now - MAX_SKEW), "now": _stamp(now)}
        raise auth.error(Failure.SIGNATURE_EXPIRED, fields=fields, details=details)
    if auth.signed_at > now + MAX_SKEW:
        fields = {"timestamp": auth.timestamp, "limit": _stamp(now + MAX_SKEW), "now": _stamp(now)}
        raise auth.error(Failure.SIGNATURE_NOT_YET_CURRENT, fields=fields, details=details)


def _check_session(
    credential: Credential[Any], token: str | None, now: datetime, error: Callable[[Failure], SigV4Error]
) -> None:
    """A temporary key needs its own session token; a token sent with a long-term key is invalid too."""
    if credential.session_token is None:
        if token:
            raise error(Failure.TOKEN_INVALID)
    elif not token:
        raise error(Failure.TOKEN_MISSING)
    elif not _same(token, credential.session_token):
        raise error(Failure.TOKEN_INVALID)
    if credential.expires_at is not None and now >= _utc(credential.expires_at):
        raise error(Failure.TOKEN_EXPIRED)


def _content_sha256(request: IncomingRequest, auth: _Auth) -> str | None:
    """The x-amz-content-sha256 of a header-signed request, validated; None where the payload line is botocore's.

    S3 requires the header and alone accepts an unsigned or streamed payload; other services hash the body when
    it is absent. A presigned URL signs no payload (S3: the literal UNSIGNED-PAYLOAD; others: the body's hash).
    """
    if auth.presigned:
        return None
    value = request.header("X-Amz-Content-SHA256")
    s3 = auth.protocol is Protocol.S3
    if value is None:
        if s3:
            raise auth.error(Failure.MISSING_CONTENT_SHA256)
        return None
    value = value.strip()
    if _SHA256_HEX.fullmatch(value) or (s3 and (value == UNSIGNED_PAYLOAD or value in _STREAMING)):
        return value
    raise auth.error(Failure.INVALID_CONTENT_SHA256, details={"ArgumentName": "x-amz-content-sha256"})


# The signature, computed by botocore -------------------------------------------------------------------------------

_SIGNED_HEADERS = "sandbox.sigv4.signed_headers"


class _SignedHeadersOnly:
    """botocore's signers choose the headers to sign (all but a blacklist, plus the URL's host): the client's rule.

    A verifier must take exactly the client's SignedHeaders instead. Canonical names and values, sorting, trimming
    and the joining of repeated headers stay botocore's (`canonical_headers`).
    """

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        signed = request.context[_SIGNED_HEADERS]
        selected = HTTPHeaders()
        for name, value in request.headers.items():
            if name.lower() in signed:
                selected[name.lower()] = value
        return selected


class _HeaderSigner(_SignedHeadersOnly, SigV4Auth):
    pass


class _S3HeaderSigner(_SignedHeadersOnly, S3SigV4Auth):
    pass


class _QuerySigner(_SignedHeadersOnly, SigV4QueryAuth):
    pass


class _S3QuerySigner(_SignedHeadersOnly, S3SigV4QueryAuth):
    pass


# (presigned, S3) -> signer: S3 signs the path as sent, other services normalize and encode it once more.
_SIGNERS: dict[tuple[bool, bool], type[SigV4Auth]] = {
    (False, False): _HeaderSigner,
    (False, True): _S3HeaderSigner,
    (True, False): _QuerySigner,
    (True, True): _S3QuerySigner,
}


def _botocore_request(
    request: IncomingRequest,
    auth: _Auth,
    query: tuple[tuple[str, str], ...],
    credential: Credential[Any],
    content_sha256: str | None,
) -> tuple[SigV4Auth, AWSRequest]:
    """The request as botocore's signer sees it, with the client's timestamp, and the signer for its scope."""
    parts = urlsplit(request.url)
    # Query parameters go in decoded, so botocore encodes and sorts them itself (`_canonical_query_string_params`).
    params = [(name, value) for name, value in query if not (auth.presigned and name == "X-Amz-Signature")]
    aws_request = AWSRequest(
        method=request.method.upper(),
        url=urlunsplit((parts.scheme or "http", parts.netloc, parts.path, "", "")),
        data=request.body,
        params=params,
    )
    signed = set(auth.signed_headers)
    for name, value in request.headers:
        if name.lower() in signed:
            aws_request.headers[name] = value
    if request.header("Host") is None:
        aws_request.headers["Host"] = parts.netloc
    if content_sha256 is not None and "x-amz-content-sha256" not in signed:
        aws_request.headers["X-Amz-Content-SHA256"] = content_sha256  # botocore reads the payload line from it
    aws_request.context["timestamp"] = auth.timestamp
    aws_request.context[_SIGNED_HEADERS] = signed
    signer_class = _SIGNERS[auth.presigned, auth.service == "s3"]
    secrets = ReadOnlyCredentials(credential.access_key_id, credential.secret_access_key, credential.session_token)
    return signer_class(secrets, auth.service, auth.region), aws_request


def _check_signature(
    request: IncomingRequest,
    auth: _Auth,
    query: tuple[tuple[str, str], ...],
    credential: Credential[Any],
    content_sha256: str | None,
) -> _ChunkSigner:
    signer, aws_request = _botocore_request(request, auth, query, credential, content_sha256)
    canonical_request = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical_request)
    signature = signer.signature(string_to_sign, aws_request)
    if not _same(signature, auth.signature):
        details = {"AWSAccessKeyId": auth.access_key_id, "StringToSign": string_to_sign}
        details |= {"SignatureProvided": auth.signature, "CanonicalRequest": canonical_request}
        raise auth.error(Failure.SIGNATURE_MISMATCH, details=details)
    return _ChunkSigner(signer, aws_request, signature)


@dataclass(frozen=True, slots=True)
class _ChunkSigner:
    """Signs aws-chunked chunks with the request's signing key, chained from the seed (request) signature."""

    signer: SigV4Auth
    aws_request: AWSRequest
    seed: str

    def sign(self, kind: str, previous: str, *hashes: str) -> str:
        timestamp = self.aws_request.context["timestamp"]
        scope = self.signer.credential_scope(self.aws_request)
        string_to_sign = "\n".join((kind, timestamp, scope, previous, *hashes))
        signature: str = self.signer.signature(string_to_sign, self.aws_request)
        return signature


def _payload(
    request: IncomingRequest, auth: _Auth, content_sha256: str | None, chunk_signer: _ChunkSigner
) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    if content_sha256 is None or content_sha256 == UNSIGNED_PAYLOAD:
        return request.body, ()
    if content_sha256 not in _STREAMING:
        if content_sha256.lower() != hashlib.sha256(request.body).hexdigest():
            raise auth.error(Failure.CONTENT_SHA256_MISMATCH, details={"ClientComputedContentSHA256": content_sha256})
        return request.body, ()
    try:
        chunked = parse_aws_chunked(request.body)
    except AwsChunkedError:
        raise auth.error(Failure.INCOMPLETE_BODY) from None
    signed_chunks = content_sha256 != STREAMING_UNSIGNED_PAYLOAD_TRAILER
    if signed_chunks and not _chunks_signed(chunked, chunk_signer, content_sha256):
        raise auth.error(Failure.SIGNATURE_MISMATCH)
    declared = request.header("X-Amz-Decoded-Content-Length")
    if declared is not None and declared.strip() != str(len(chunked.data)):
        raise auth.error(Failure.INCOMPLETE_BODY)
    return chunked.data, chunked.trailers


def _chunks_signed(chunked: AwsChunkedBody, chunk_signer: _ChunkSigner, content_sha256: str) -> bool:
    """AWS S3 "chunked upload": each chunk signs its data and the previous signature; a signed trailer comes last."""
    previous = chunk_signer.seed
    for chunk in chunked.chunks:
        previous = chunk_signer.sign("AWS4-HMAC-SHA256-PAYLOAD", previous, EMPTY_SHA256_HASH, _sha256(chunk.data))
        if chunk.signature is None or not _same(previous, chunk.signature):
            return False
    if content_sha256 != STREAMING_SIGNED_PAYLOAD_TRAILER:
        return True
    trailers = "".join(f"{name}:{value}\n" for name, value in chunked.trailers).encode()
    expected = chunk_signer.sign("AWS4-HMAC-SHA256-TRAILER", previous, _sha256(trailers))
    return chunked.trailer_signature is not None and _same(expected, chunked.trailer_signature)


# Small helpers ------------------------------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times given to SigV4 verification must be timezone-aware")
    return moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime(SIGV4_TIMESTAMP)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
