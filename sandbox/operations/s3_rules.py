"""S3 (REST, path style): buckets, objects and bucket policies, with S3's own action names.

Many S3 operations are authorized by an action of another name (ListObjectsV2 by
`s3:ListBucket`, HeadObject by `s3:GetObject`, DeleteBucketTagging by `s3:PutBucketTagging`);
the table gives each one. A bucket is `arn:aws:s3:::BUCKET`, an object `arn:aws:s3:::BUCKET/KEY`
with the key as stored (slashes and any Unicode kept). Calls with a `VersionId` use the
`...Version...` action. `aws:ResourceTag/*` is not added for S3 (bucket ABAC is not modelled).
https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

import iam
from sandbox.operations.model import Authorization, Operation, RequestRejected
from sandbox.operations.scope import Handler, Scope, optional, required, tag_pairs


@dataclass(frozen=True, slots=True)
class Rule:
    """The action for the call, on the bucket or the object, and the action used with a version id."""

    action: str
    on: Literal["bucket", "object", "*"]
    versioned: str | None = None


RULES: dict[str, Rule] = {
    "ListBuckets": Rule("s3:ListAllMyBuckets", "*"),
    "DeleteBucket": Rule("s3:DeleteBucket", "bucket"),
    "HeadBucket": Rule("s3:ListBucket", "bucket"),
    "GetBucketLocation": Rule("s3:GetBucketLocation", "bucket"),
    "GetBucketPolicy": Rule("s3:GetBucketPolicy", "bucket"),
    "PutBucketPolicy": Rule("s3:PutBucketPolicy", "bucket"),
    "DeleteBucketPolicy": Rule("s3:DeleteBucketPolicy", "bucket"),
    "GetBucketPolicyStatus": Rule("s3:GetBucketPolicyStatus", "bucket"),
    "GetBucketAcl": Rule("s3:GetBucketAcl", "bucket"),
    "PutBucketAcl": Rule("s3:PutBucketAcl", "bucket"),
    "GetBucketTagging": Rule("s3:GetBucketTagging", "bucket"),
    "PutBucketTagging": Rule("s3:PutBucketTagging", "bucket"),
    "DeleteBucketTagging": Rule("s3:PutBucketTagging", "bucket"),
    "GetBucketVersioning": Rule("s3:GetBucketVersioning", "bucket"),
    "PutBucketVersioning": Rule("s3:PutBucketVersioning", "bucket"),
    "GetPublicAccessBlock": Rule("s3:GetBucketPublicAccessBlock", "bucket"),
    "PutPublicAccessBlock": Rule("s3:PutBucketPublicAccessBlock", "bucket"),
    "DeletePublicAccessBlock": Rule("s3:PutBucketPublicAccessBlock", "bucket"),
    "GetBucketEncryption": Rule("s3:GetEncryptionConfiguration", "bucket"),
    "PutBucketEncryption": Rule("s3:PutEncryptionConfiguration", "bucket"),
    "DeleteBucketEncryption": Rule("s3:PutEncryptionConfiguration", "bucket"),
    "GetBucketOwnershipControls": Rule("s3:GetBucketOwnershipControls", "bucket"),
    "PutBucketOwnershipControls": Rule("s3:PutBucketOwnershipControls", "bucket"),
    "DeleteBucketOwnershipControls": Rule("s3:PutBucketOwnershipControls", "bucket"),
    "ListObjects": Rule("s3:ListBucket", "bucket"),
    "ListObjectsV2": Rule("s3:ListBucket", "bucket"),
    "ListObjectVersions": Rule("s3:ListBucketVersions", "bucket"),
    "GetObject": Rule("s3:GetObject", "object", "s3:GetObjectVersion"),
    "HeadObject": Rule("s3:GetObject", "object", "s3:GetObjectVersion"),
    "DeleteObject": Rule("s3:DeleteObject", "object", "s3:DeleteObjectVersion"),
    "GetObjectAcl": Rule("s3:GetObjectAcl", "object", "s3:GetObjectVersionAcl"),
    "PutObjectAcl": Rule("s3:PutObjectAcl", "object", "s3:PutObjectVersionAcl"),
    "GetObjectTagging": Rule("s3:GetObjectTagging", "object", "s3:GetObjectVersionTagging"),
    "PutObjectTagging": Rule("s3:PutObjectTagging", "object", "s3:PutObjectVersionTagging"),
    "DeleteObjectTagging": Rule("s3:DeleteObjectTagging", "object", "s3:DeleteObjectVersionTagging"),
    "PutObject": Rule("s3:PutObject", "object"),
    "CopyObject": Rule("s3:PutObject", "object"),
    "CreateBucket": Rule("s3:CreateBucket", "bucket"),
    "DeleteObjects": Rule("s3:DeleteObject", "object", "s3:DeleteObjectVersion"),
}

REQUEST_KEYS = {
    "ACL": "s3:x-amz-acl",
    "ServerSideEncryption": "s3:x-amz-server-side-encryption",
    "SSEKMSKeyId": "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "StorageClass": "s3:x-amz-storage-class",
    "MetadataDirective": "s3:x-amz-metadata-directive",
    "Prefix": "s3:prefix",
    "Delimiter": "s3:delimiter",
    "MaxKeys": "s3:max-keys",
    "VersionId": "s3:versionid",
}
"""Parameters that become S3 condition keys when the request has them (and only then)."""

MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"

GRANTS = ("ACL", "GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP")
"""Parameters that set an ACL as part of another call."""


def bucket_arn(bucket: str, scope: Scope) -> str:
    return f"arn:{scope.partition}:s3:::{bucket}"


def object_arn(bucket: str, key: str, scope: Scope) -> str:
    return f"arn:{scope.partition}:s3:::{bucket}/{key}"


def request_keys(operation: Operation, extra: dict[str, str] | None = None) -> iam.Context:
    """The S3 condition keys the request sets, e.g. `s3:prefix` only when a `Prefix` was sent."""
    keys: dict[str, str | tuple[str, ...]] = {
        key: str(operation.params[param]) for param, key in REQUEST_KEYS.items() if param in operation.params
    }
    tagging = operation.params.get("Tagging")
    if isinstance(tagging, str) and tagging:
        keys.update(object_tag_keys(dict(_query_pairs(tagging))))
    elif isinstance(tagging, dict) and tagging.get("TagSet"):
        keys.update(object_tag_keys(tag_pairs(tagging["TagSet"])))
    return iam.make_context({**keys, **(extra or {})})


def object_tag_keys(tags: dict[str, str]) -> dict[str, str | tuple[str, ...]]:
    """`s3:RequestObjectTag/<key>` and `s3:RequestObjectTagKeys` for tags set on an object."""
    keys: dict[str, str | tuple[str, ...]] = {f"s3:RequestObjectTag/{key}": value for key, value in tags.items()}
    keys["s3:RequestObjectTagKeys"] = tuple(tags)
    return keys


def _query_pairs(text: str) -> list[tuple[str, str]]:
    """`k1=v1&k2=v2` (the `x-amz-tagging` header) as pairs."""
    pairs = (item.partition("=") for item in text.split("&") if item)
    return [(unquote(key.replace("+", " ")), unquote(value.replace("+", " "))) for key, _, value in pairs]


def check(action: str, resource: str, scope: Scope, bucket: str, context: iam.Context | None = None) -> Authorization:
    """A check on a bucket or object of `bucket`, owned by whichever account owns the bucket."""
    return Authorization(
        action, resource, context or iam.Context(), resource_account=scope.resolve.bucket_owner(bucket)
    )


def parse_copy_source(source: str) -> tuple[str, str, str | None]:
    """`bucket/key[?versionId=v]` (URL-encoded, maybe with a leading `/`) as bucket, key, version.

    # AWS: x-amz-copy-source is "the name of the source bucket and the key of the source object,
    separated by a slash (/)... The value must be URL-encoded" (API_CopyObject.html).
    """
    path, _, query = source.lstrip("/").partition("?")
    version = next((value for key, value in _query_pairs(query) if key == "versionId"), None)
    bucket, slash, key = unquote(path).partition("/")
    if source.startswith("arn:") or not bucket or not slash or not key:
        raise RequestRejected("InvalidArgument", "Invalid copy source object key")
    return bucket, key, version


def _table_handler(rule: Rule) -> Handler:
    def authorizations(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
        if rule.on == "*":
            return (Authorization(rule.action, "*", iam.Context(), resource_account=scope.account_id),)
        bucket = required(operation, "Bucket")
        action = rule.versioned if rule.versioned and optional(operation, "VersionId") else rule.action
        if rule.on == "bucket":
            resource = bucket_arn(bucket, scope)
        else:
            resource = object_arn(bucket, required(operation, "Key"), scope)
        return (check(action, resource, scope, bucket, request_keys(operation)),)

    return authorizations


def _sets_acl(operation: Operation) -> bool:
    return any(param in operation.params for param in GRANTS)


def create_bucket(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """`s3:CreateBucket`, plus the permissions for the settings the request includes.

    # AWS: ACL headers need `s3:PutBucketAcl`, Object Lock `s3:PutBucketObjectLockConfiguration`
    and `s3:PutBucketVersioning`, `x-amz-object-ownership` `s3:PutBucketOwnershipControls`
    (API_CreateBucket.html, "Permissions").
    """
    bucket = required(operation, "Bucket")
    resource = bucket_arn(bucket, scope)
    location = (operation.params.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
    context = request_keys(operation, {"s3:LocationConstraint": location} if location else None)
    actions = ["s3:CreateBucket"]
    if _sets_acl(operation):
        actions.append("s3:PutBucketAcl")
    if operation.params.get("ObjectLockEnabledForBucket"):
        actions += ["s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"]
    if "ObjectOwnership" in operation.params:
        actions.append("s3:PutBucketOwnershipControls")
    return tuple(Authorization(action, resource, context, resource_account=scope.account_id) for action in actions)


def put_object(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """`s3:PutObject`; setting an ACL also needs `s3:PutObjectAcl`, tags `s3:PutObjectTagging` (API_PutObject.html)."""
    bucket = required(operation, "Bucket")
    resource = object_arn(bucket, required(operation, "Key"), scope)
    context = request_keys(operation)
    actions = ["s3:PutObject"]
    if _sets_acl(operation):
        actions.append("s3:PutObjectAcl")
    if operation.params.get("Tagging"):
        actions.append("s3:PutObjectTagging")
    return tuple(check(action, resource, scope, bucket, context) for action in actions)


def copy_object(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """`s3:PutObject` on the new object and `s3:GetObject` (or `s3:GetObjectVersion`) on the source.

    # AWS: "you must have read access to the source object and write access to the destination
    bucket" (API_CopyObject.html); `s3:x-amz-copy-source` is `bucket/key` of the source.
    """
    bucket = required(operation, "Bucket")
    resource = object_arn(bucket, required(operation, "Key"), scope)
    source_bucket, source_key, version = parse_copy_source(required(operation, "CopySource"))
    context = request_keys(operation, {"s3:x-amz-copy-source": f"{source_bucket}/{source_key}"})
    checks = [check("s3:PutObject", resource, scope, bucket, context)]
    if _sets_acl(operation):
        checks.append(check("s3:PutObjectAcl", resource, scope, bucket, context))
    if operation.params.get("TaggingDirective") == "REPLACE" and operation.params.get("Tagging"):
        checks.append(check("s3:PutObjectTagging", resource, scope, bucket, context))
    read = "s3:GetObjectVersion" if version else "s3:GetObject"
    source_context = iam.make_context({"s3:versionid": version} if version else None)
    checks.append(check(read, object_arn(source_bucket, source_key, scope), scope, source_bucket, source_context))
    return tuple(checks)


def delete_objects(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """One `s3:DeleteObject` (or `s3:DeleteObjectVersion`) check per key.

    # AWS: a multi-object delete is authorized key by key and reports a denied key as an
    `AccessDenied` error in its result (API_DeleteObjects.html); refusing the whole call when one
    check fails is stricter than AWS.
    """
    bucket = required(operation, "Bucket")
    objects = (operation.params.get("Delete") or {}).get("Objects") or ()
    if not objects or not all(item.get("Key") for item in objects):
        raise RequestRejected("MalformedXML", MALFORMED_XML)
    checks = []
    for item in objects:
        version = item.get("VersionId")
        action = "s3:DeleteObjectVersion" if version else "s3:DeleteObject"
        context = iam.make_context({"s3:versionid": version} if version else None)
        checks.append(check(action, object_arn(bucket, str(item["Key"]), scope), scope, bucket, context))
    return tuple(checks)


HANDLERS: dict[str, Handler] = {name: _table_handler(rule) for name, rule in RULES.items()}
HANDLERS.update(
    {
        "CreateBucket": create_bucket,
        "PutObject": put_object,
        "CopyObject": copy_object,
        "DeleteObjects": delete_objects,
    }
)
