"""S3 (REST, path style) through the endpoint: parse, authorize every check with `iam`, serve with moto, record.

A call is served in the account that owns the bucket (from the `Bucket` registry), under that account's writer for a
change and its reader otherwise, so a member account's user reading a management-account bucket locks the management
account. ListBuckets and CreateBucket act in the caller's own account. Bucket names are unique in the installation:
creating a name another account holds is BucketAlreadyExists (BucketAlreadyOwnedByYou for the caller's own account).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.http import HttpResponse

from sandbox import events
from sandbox.endpoint import responses
from sandbox.endpoint.calls import NOT_AVAILABLE, CallFailed, CallInfo
from sandbox.endpoint.dispatch import MotoResponse
from sandbox.endpoint.s3_authorize import (
    BucketOwnerResolver,
    CallerScope,
    authorize_checks,
    caller_policies,
    caller_scope,
    parse_bucket_policy,
    stored_bucket_policy,
)
from sandbox.endpoint.s3_moto import s3_http_response, serve_with_moto
from sandbox.endpoint.s3_request import S3Request, parse_s3_request
from sandbox.endpoint.sigv4 import IncomingRequest, VerifiedRequest
from sandbox.endpoint.sigv4_errors import Protocol
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.moto_store import AccountBackends, BucketNameTaken, account_reader, account_writer, bucket_cache_reconcile
from sandbox.operations import OperationError, authorization_requests
from sandbox.operations.s3_rules import parse_copy_source

READ_OPERATIONS = frozenset(
    {
        "ListBuckets", "HeadBucket", "GetBucketLocation", "ListObjects", "ListObjectsV2", "GetObject", "HeadObject",
        "GetBucketPolicy", "GetBucketTagging", "GetObjectTagging",
    }
)
WRITE_OPERATIONS = frozenset(
    {
        "CreateBucket", "DeleteBucket", "PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "PutBucketPolicy",
        "DeleteBucketPolicy", "PutBucketTagging", "DeleteBucketTagging", "PutObjectTagging",
    }
)
SUPPORTED_OPERATIONS = READ_OPERATIONS | WRITE_OPERATIONS
ACCESS_DENIED = "Access Denied"  # S3 never says why; the event records the engine's reason
BUCKET_ALREADY_EXISTS = (
    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. "
    "Please select a different name and try again."
)
BUCKET_ALREADY_OWNED = "Your previous request to create the named bucket succeeded and you already own it."
# Objects live inside the account's stored state, so the sandbox keeps them small; the AWS CLI switches to multipart
# uploads for files over 8 MB, which is where a learner meets this.
MULTIPART_CALLS = frozenset({"CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload",
                             "AbortMultipartUpload", "ListParts", "ListMultipartUploads"})
MULTIPART = ("multipart uploads are not available in this training sandbox, which keeps objects up to 8 MiB: "
             "upload a smaller file (the AWS CLI uploads files over 8 MB in parts)")
CROSS_ACCOUNT_COPY = "copying between buckets of two different accounts is not available in this training sandbox yet"
HOME_REGION = "us-east-1"
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


class S3Error(AwsError):
    """An S3 error answered by us rather than by moto (bucket names, region rules, unsupported cases)."""


def serve_s3_call(
    *, identity: Identity, incoming: IncomingRequest, verified: VerifiedRequest[Any], info: CallInfo
) -> HttpResponse:
    """Authorize and perform one S3 call; record it either way."""
    try:
        request = parse_s3_request(
            method=incoming.method, url=incoming.url, headers=incoming.headers, body=verified.payload,
            region=info.region, preferred=SUPPORTED_OPERATIONS,
        )
    except OperationError as error:
        return _error(error.code, error.message, 405 if error.code == "MethodNotAllowed" else 400, info)
    if request.name not in SUPPORTED_OPERATIONS:
        message = MULTIPART if request.name in MULTIPART_CALLS else NOT_AVAILABLE.format(service="s3",
                                                                                        action=request.name)
        _record(identity, request, info, code="NotImplemented", message=message)
        return _error("NotImplemented", message, 501, info)
    try:
        answer = _serve(identity, request, incoming, verified, info)
    except AccessDenied as denied:
        _record(identity, request, info, code=denied.code, message=denied.message)
        return _error(denied.code, ACCESS_DENIED, denied.status, info)
    except AwsError as error:
        _record(identity, request, info, code=error.code, message=error.message)
        return _error(error.code, error.message, error.status, info)
    except OperationError as error:
        _record(identity, request, info, code=error.code, message=error.message)
        return _error(error.code, error.message, 400, info)
    except CallFailed as failed:
        answer = failed.response
    _record(identity, request, info, error=answer if answer.status >= 400 else None)
    return s3_http_response(answer, operation=request.name, method=incoming.method, request_id=info.request_id)


def _buckets_named(request: S3Request) -> set[str]:
    names = {request.bucket} if request.bucket else set()
    source = request.operation.params.get("CopySource")
    if request.name == "CopyObject" and isinstance(source, str):
        names.add(parse_copy_source(source)[0])
    return names


def _serve(
    identity: Identity, request: S3Request, incoming: IncomingRequest, verified: VerifiedRequest[Any],
    info: CallInfo,
) -> MotoResponse:
    scope = caller_scope(identity, _buckets_named(request), info.source_ip)
    checks = authorization_requests(
        request.operation, account_id=identity.account_id, resolve=BucketOwnerResolver(scope), caller_arn=identity.arn
    )
    policies = caller_policies(identity)
    target = _target_account(request, scope)
    # Decided under a reader: a refused write must not cost the account its cached state (a writer drops it).
    with account_reader(target) as backends:
        bucket_policies = {
            name: stored_bucket_policy(backends.s3.buckets.get(name))
            for name, owner in scope.owners.items() if owner == target
        }
        authorize_checks(scope, checks, identity=policies, bucket_policies=bucket_policies)
        _check_request(request, scope)
    opener: Callable[[str], AbstractContextManager[AccountBackends]] = (
        account_writer if request.name in WRITE_OPERATIONS else account_reader
    )
    try:
        with opener(target):
            for name in _buckets_named(request):
                bucket_cache_reconcile(name, scope.owners.get(name))
            answer = serve_with_moto(
                request, account_id=target, method=incoming.method, headers=incoming.headers,
                payload=verified.payload, trailers=verified.trailers,
            )
            if answer.status >= 400:
                raise CallFailed(answer)  # nothing is stored
            return answer
    except BucketNameTaken as taken:
        raise S3Error(BUCKET_ALREADY_EXISTS, code="BucketAlreadyExists", status=409) from taken


def _target_account(request: S3Request, scope: CallerScope) -> str:
    """The account whose moto state serves the call: the bucket's owner, else the caller's own."""
    owner = scope.owners.get(request.bucket or "")
    if request.name in ("ListBuckets", "CreateBucket") or owner is None or scope.is_foreign(owner):
        return scope.identity.account_id
    return owner


def _check_request(request: S3Request, scope: CallerScope) -> None:
    """What S3 refuses before doing anything, once the caller is allowed to ask."""
    params = request.operation.params
    owner = scope.owners.get(request.bucket or "")
    expected = params.get("ExpectedBucketOwner")
    if expected and owner is not None and expected != owner:
        raise AccessDenied(f"the bucket is owned by {owner}, not by the expected owner {expected}")
    if request.name == "CreateBucket":
        _check_new_bucket(request, owner, scope.identity.account_id)
    elif request.name == "PutBucketPolicy":
        parse_bucket_policy(str(request.bucket), str(params.get("Policy", "")))
    elif request.name == "CopyObject":
        source_owner = scope.owners.get(parse_copy_source(str(params["CopySource"]))[0])
        if source_owner is not None and owner is not None and source_owner != owner:
            raise S3Error(CROSS_ACCOUNT_COPY, code="NotImplemented", status=501)


def _check_new_bucket(request: S3Request, owner: str | None, caller_account: str) -> None:
    if not valid_bucket_name(str(request.bucket)):
        raise S3Error("The specified bucket is not valid.", code="InvalidBucketName", status=400)
    if owner == caller_account:
        raise S3Error(BUCKET_ALREADY_OWNED, code="BucketAlreadyOwnedByYou", status=409)
    if owner is not None:
        raise S3Error(BUCKET_ALREADY_EXISTS, code="BucketAlreadyExists", status=409)
    # AWS: a regional endpoint needs a LocationConstraint naming its own region (us-east-1 takes any, or none).
    region = request.operation.region
    configuration = request.operation.params.get("CreateBucketConfiguration") or {}
    constraint = configuration.get("LocationConstraint")
    if region != HOME_REGION and not constraint:
        raise S3Error(
            "The unspecified location constraint is incompatible for the region specific endpoint this request "
            "was sent to.", code="IllegalLocationConstraintException", status=400,
        )
    if region != HOME_REGION and constraint != region:
        raise S3Error(
            f"The {constraint} location constraint is incompatible for the region specific endpoint this request "
            "was sent to.", code="IllegalLocationConstraintException", status=400,
        )


def valid_bucket_name(name: str) -> bool:
    """S3's general purpose bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens, starting and
    ending with a letter or digit, no `..`, not shaped like an IP address, no reserved prefix or suffix.
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
    """
    return (
        _BUCKET_NAME.fullmatch(name) is not None
        and ".." not in name
        and _IP_ADDRESS.fullmatch(name) is None
        and not name.startswith(RESERVED_BUCKET_PREFIXES)
        and not name.endswith(RESERVED_BUCKET_SUFFIXES)
    )


def _error(code: str, message: str, status: int, info: CallInfo) -> HttpResponse:
    return responses.error_response(
        protocol=Protocol.S3, service="s3", code=code, message=message, status=status, request_id=info.request_id
    )


def _request_parameters(request: S3Request) -> dict[str, Any]:
    """CloudTrail's S3 requestParameters: bucketName, key, the query's own parameters, and a put bucket policy."""
    params: dict[str, Any] = {"Host": "s3.amazonaws.com"}
    if request.bucket:
        params["bucketName"] = request.bucket
    if request.key:
        params["key"] = request.key
    params.update({name: value for name, value in request.query})
    if request.name == "PutBucketPolicy":
        params["bucketPolicy"] = request.operation.params.get("Policy", "")
    return params


def _record(
    identity: Identity, request: S3Request, info: CallInfo, *, code: str = "", message: str = "",
    error: MotoResponse | None = None,
) -> None:
    if error is not None:
        code, message = _error_fields(error)
    events.event_record(
        identity=identity,
        account_id=identity.account_id,
        event_name=request.name,
        event_source="s3.amazonaws.com",
        request_parameters=_request_parameters(request),
        error_code=code,
        error_message=message,
        request_id=info.request_id,
        aws_region=info.region,
        source_ip=info.source_ip,
        user_agent=info.user_agent,
        read_only=request.name in READ_OPERATIONS,
        access_key_id=info.access_key_id,
    )


def _error_fields(answer: MotoResponse) -> tuple[str, str]:
    text = answer.body.decode("utf-8", "replace")

    def element(tag: str) -> str:
        start, end = text.find(f"<{tag}>"), text.find(f"</{tag}>")
        return text[start + len(tag) + 2 : end] if 0 <= start < end else ""

    return element("Code") or f"HTTP {answer.status}", element("Message")
