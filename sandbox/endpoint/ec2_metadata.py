"""The instance metadata service of a sandbox instance: `GET /aws/ec2-instance/<id>/latest/meta-data/<path>`.

On AWS only software running on the instance reaches 169.254.169.254. Here the learner plays that software, so the
request must be SigV4-signed with the signing name `ec2` (`curl --aws-sigv4 "aws:amz:us-east-1:ec2" --user KEY:SECRET`,
plus `-H "x-amz-security-token: ..."` for temporary credentials), by either
- a principal of the instance's own account who may open a shell on it: `ssm:StartSession` on the instance, the
  permission Session Manager asks for (a learner's administrator has it; a limited IAM user does not, so the sandbox
  never hands out a role the user could not reach on AWS either), or
- the instance's own role credentials (software on the instance renewing them).
Never anonymously: an unsigned request is refused, and another account's instance does not exist (404).
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

import iam
from sandbox.authorize import CallOrigin, authorize
from sandbox.clock import sandbox_now
from sandbox.credentials import KeyOwner, credential_lookup
from sandbox.ec2 import InstanceRole, instance_role, metadata_instance
from sandbox.endpoint.sigv4 import IncomingRequest, SigV4Error, VerifiedRequest, url_from_environ, verify
from sandbox.errors import AccessDenied
from sandbox.identity import Identity
from sandbox.models import Ec2Instance, StsSession
from sandbox.moto_store import account_reader
from sandbox.sts.service_sessions import service_may_assume, service_session

EC2_SERVICE = "ec2.amazonaws.com"
MOUNT_PATH = "/aws"
NOT_FOUND_PAGE = (
    '<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html>\n<html><head><title>404 - Not Found</title></head>'
    "<body><h1>404 - Not Found</h1></body></html>\n"
)
UNSIGNED = (
    "the sandbox's instance metadata answers signed requests only: sign the GET with SigV4 and the signing name "
    "`ec2` (curl --aws-sigv4 \"aws:amz:us-east-1:ec2\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\")"
)
CANNOT_ASSUME = (
    "EC2 cannot assume the role {role}.  Please see documentation at "
    "http://docs.amazonwebservices.com/IAM/latest/UserGuide/RolesTroubleshooting.html."
)


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain")


def _json(document: dict[str, str], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(document, indent=2), status=status, content_type="text/plain")


def _not_found() -> HttpResponse:
    return HttpResponse(NOT_FOUND_PAGE, status=404, content_type="text/html")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _verified(request: HttpRequest) -> VerifiedRequest[KeyOwner] | HttpResponse:
    incoming = IncomingRequest.build(method="GET", url=url_from_environ(request.META), headers=request.headers)
    try:
        verified = verify(incoming, lookup=credential_lookup, now=datetime.now(UTC), mount_path=MOUNT_PATH)
    except SigV4Error as refused:
        return _text(UNSIGNED if refused.code == "MissingAuthenticationToken" else refused.message, refused.status)
    if verified.service != "ec2":
        return _text(UNSIGNED, 403)
    return verified


def _refusal(request: HttpRequest, signer: Identity, access_key_id: str, instance: Ec2Instance) -> HttpResponse | None:
    """None when the signer may read the instance's metadata: its own credentials, or `ssm:StartSession` on it."""
    own_session = StsSession.objects.filter(
        access_key_id=access_key_id, session_name=instance.instance_id, issued_to__invokedBy=EC2_SERVICE
    ).exists()
    if own_session:
        return None
    arn = f"arn:aws:ec2:{instance.region}:{signer.account_id}:instance/{instance.instance_id}"
    tags = iam.make_context({f"aws:ResourceTag/{key}": value for key, value in instance.tags.items()})
    origin = CallOrigin(source_ip=request.META.get("REMOTE_ADDR", ""), secure_transport=request.is_secure())
    try:
        with account_reader(signer.account_id) as backends:
            authorize(backends, signer, action="ssm:StartSession", resource=arn, context=tags,
                      resource_account=signer.account_id, origin=origin)
    except AccessDenied as denied:
        return _text(denied.message, 403)
    return None


@csrf_exempt
@require_GET
def instance_metadata(request: HttpRequest, instance_id: str, path: str = "") -> HttpResponse:
    """Instance metadata for the learner who owns the instance (see the module's docstring)."""
    verified = _verified(request)
    if isinstance(verified, HttpResponse):
        return verified
    signer = verified.credential.owner.identity
    instance = metadata_instance(account_id=signer.account_id, instance_id=instance_id)
    if instance is None:
        return _not_found()
    if (refusal := _refusal(request, signer, verified.access_key_id, instance)) is not None:
        return refusal
    simple = {"": "ami-id\ninstance-id\ninstance-type\niam/", "ami-id": instance.image_id,
              "instance-id": instance.instance_id, "instance-type": instance.instance_type}
    if path in simple:
        return _text(simple[path])
    found = instance_role(instance) if path.startswith("iam") else None
    if found is None:
        return _not_found()
    return _iam_answer(instance, found, path)


def _iam_answer(instance: Ec2Instance, found: InstanceRole, path: str) -> HttpResponse:
    role = found.role
    now = _iso(sandbox_now(instance.account.account_id))
    if path in ("iam", "iam/"):
        return _text("info\nsecurity-credentials/")
    if path == "iam/info":
        if role is None:
            return _not_found()
        if not service_may_assume(role, EC2_SERVICE).allowed:
            return _json({"Code": "AssumeRoleUnauthorizedAccess", "Message": CANNOT_ASSUME.format(role=role.name),
                          "LastUpdated": now})
        return _json({"Code": "Success", "LastUpdated": now, "InstanceProfileArn": found.profile_arn,
                      "InstanceProfileId": found.profile_id})
    if path == "iam/security-credentials/" and role is not None:
        return _text(role.name)
    if role is None or path != f"iam/security-credentials/{role.name}":
        return _not_found()
    session = service_session(role=role, service=EC2_SERVICE, session_name=instance.instance_id)
    if session is None:
        return _json({"Code": "AssumeRoleUnauthorizedAccess", "Message": CANNOT_ASSUME.format(role=role.name),
                      "LastUpdated": now}, status=404)
    return _json({
        "Code": "Success", "LastUpdated": _iso(session.issued_at), "Type": "AWS-HMAC",
        "AccessKeyId": session.access_key_id, "SecretAccessKey": session.secret_access_key,
        "Token": session.session_token, "Expiration": _iso(session.expires_at),
    })
