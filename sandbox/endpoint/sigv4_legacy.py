"""Legacy S3 presigned URLs (signature version 2), which boto3 still makes for us-east-1 and `aws s3 presign`."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from botocore.auth import HmacV1QueryAuth
from botocore.compat import HTTPHeaders
from botocore.credentials import ReadOnlyCredentials

from sandbox.endpoint.sigv4 import (
    Credential,
    IncomingRequest,
    OwnerT,
    VerifiedRequest,
    _check_session,
    _iso,
    _same,
)
from sandbox.endpoint.sigv4_errors import V2_EXPIRES_NOT_A_NUMBER, Failure, Protocol, SigV4Error


class _V2QuerySigner(HmacV1QueryAuth):
    """botocore's V2 presigner, with the `Expires` the URL carries instead of one computed from the clock."""

    def __init__(self, credentials: ReadOnlyCredentials, expires: str) -> None:
        super().__init__(credentials)
        self._expires_value = expires

    def _get_date(self) -> str:
        return self._expires_value


def verify_v2(
    request: IncomingRequest,
    query: tuple[tuple[str, str], ...],
    *,
    lookup: Callable[[str], Credential[OwnerT] | None],
    now: datetime,
    mount_path: str,
) -> VerifiedRequest[OwnerT]:
    """Verify a legacy S3 presigned URL (`AWSAccessKeyId`, `Signature`, `Expires`) with botocore's V2 signer."""
    params = dict(reversed(query))
    error = partial(SigV4Error, protocol=Protocol.S3, presigned=True)
    expires = params["Expires"]
    if not expires.isdigit():
        raise error(Failure.INVALID_EXPIRES, fields={"reason": V2_EXPIRES_NOT_A_NUMBER})
    expires_at = datetime.fromtimestamp(int(expires), UTC)
    if now > expires_at:
        raise error(Failure.REQUEST_EXPIRED, details={"Expires": _iso(expires_at), "ServerTime": _iso(now)})
    credential = lookup(params["AWSAccessKeyId"])
    if credential is None:
        raise error(Failure.UNKNOWN_ACCESS_KEY, details={"AWSAccessKeyId": params["AWSAccessKeyId"]})
    _check_session(credential, params.get("x-amz-security-token") or request.header("X-Amz-Security-Token"), now, error)
    # botocore moved the signed x-amz-* headers (and Content-Type / Content-MD5) into the query string.
    headers = HTTPHeaders()
    for name in ("content-type", "content-md5"):
        value = request.header(name) or params.get(name)
        if value:
            headers[name] = value
    amz = {name.lower(): value for name, value in request.headers if name.lower().startswith("x-amz-")}
    amz.update((name.lower(), value) for name, value in query if name.lower().startswith("x-amz-"))
    for name, value in amz.items():
        headers[name] = value
    signer = _V2QuerySigner(ReadOnlyCredentials(credential.access_key_id, credential.secret_access_key, None), expires)
    url = urlsplit(request.url)
    if mount_path and url.path.startswith(f"{mount_path}/"):
        url = url._replace(path=url.path[len(mount_path):])  # V2 signs the resource, /bucket/key
    string_to_sign = signer.canonical_string(request.method.upper(), url, headers)
    if not _same(signer.sign_string(string_to_sign), params["Signature"]):
        details = {"AWSAccessKeyId": credential.access_key_id, "StringToSign": string_to_sign}
        raise error(Failure.SIGNATURE_MISMATCH, details=details | {"SignatureProvided": params["Signature"]})
    return VerifiedRequest(
        credential=credential,
        service="s3",
        region=None,
        signed_at=None,
        signed_headers=(),
        presigned=True,
        signature_version=2,
        payload=request.body,
        expires_at=expires_at,
    )
