"""What CloudTrail records for STS calls: the caller's copy, and the role owner's copy of a cross-account AssumeRole.

https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox import events
from sandbox.errors import AwsError
from sandbox.identity import Identity
from sandbox.models import StsSession
from sandbox.sts.assume_role import AssumedRole
from sandbox.sts.federation import FederationTrail
from sandbox.sts.tags import inherited_transitive_tags

STS_SOURCE = "sts.amazonaws.com"
_PARAMETER_NAMES = {
    "RoleArn": "roleArn", "RoleSessionName": "roleSessionName", "DurationSeconds": "durationSeconds",
    "ExternalId": "externalId", "SerialNumber": "serialNumber", "SourceIdentity": "sourceIdentity",
    "Policy": "policy", "TransitiveTagKeys": "transitiveTagKeys",
}


@dataclass(frozen=True, slots=True)
class CallMeta:
    """The HTTP side of a call, as the event history keeps it."""

    request_id: str = ""
    region: str = "us-east-1"
    source_ip: str = ""
    user_agent: str = ""
    access_key_id: str = ""


def expiration_text(moment: datetime) -> str:
    """CloudTrail writes credential expiry as `Jul 18, 2023, 4:07:39 PM`."""
    hour = moment.hour % 12 or 12
    return f"{moment:%b} {moment.day}, {moment.year}, {hour}:{moment:%M:%S} {'AM' if moment.hour < 12 else 'PM'}"


def request_parameters(caller: Identity, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as CloudTrail writes them (token codes never; tags as key/value pairs)."""
    recorded: dict[str, Any] = {
        wire: params[name] for name, wire in _PARAMETER_NAMES.items() if params.get(name) is not None
    }
    if params.get("Tags"):
        recorded["tags"] = [{"key": tag.get("Key"), "value": tag.get("Value")} for tag in params["Tags"]]
    if params.get("PolicyArns"):
        recorded["policyArns"] = [{"arn": entry.get("arn")} for entry in params["PolicyArns"]]
    incoming = inherited_transitive_tags(caller)
    if incoming and "RoleArn" in params:
        recorded["incomingTransitiveTags"] = incoming
    return recorded


def credentials_elements(session: StsSession) -> dict[str, Any]:
    """Credentials as logged: the key id and expiry; the secret and the token are never stored."""
    return {"accessKeyId": session.access_key_id, "expiration": expiration_text(session.expires_at)}


def assumed_elements(assumed: AssumedRole, fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    """responseElements of an AssumeRole* call: credentials, the session user, the packed size and source identity
    when there are any, and the call's own `fields` (`Subject`, `Provider`, ...) named as CloudTrail names them."""
    identity, session = assumed.identity, assumed.session
    elements: dict[str, Any] = {
        "credentials": credentials_elements(session),
        "assumedRoleUser": {"assumedRoleId": identity.principal_id, "arn": identity.arn},
    }
    if assumed.packed_policy_size is not None:
        elements["packedPolicySize"] = assumed.packed_policy_size
    if session.source_identity:
        elements["sourceIdentity"] = session.source_identity
    elements.update({name[:1].lower() + name[1:]: value for name, value in (fields or {}).items()})
    return elements


def record_sts_call(
    caller: Identity, name: str, params: Mapping[str, Any], meta: CallMeta, *,
    response: dict[str, Any] | None = None, error: AwsError | None = None, owner_account: str | None = None,
    caller_block: dict[str, Any] | None = None,
) -> None:
    """The caller's event, and for a cross-account AssumeRole the role owner's copy (caller seen as an account)."""
    common: dict[str, Any] = {
        "event_name": name, "event_source": STS_SOURCE, "request_parameters": request_parameters(caller, params),
        "response_elements": response if error is None else None,
        "error_code": error.code if error else "", "error_message": error.message if error else "",
        "request_id": meta.request_id, "aws_region": meta.region, "source_ip": meta.source_ip,
        "user_agent": meta.user_agent, "read_only": name == "GetCallerIdentity",
    }
    events.event_record(
        identity=caller, account_id=caller.account_id, access_key_id=meta.access_key_id, user_identity=caller_block,
        **common,
    )
    if owner_account and owner_account != caller.account_id and error is None:
        seen_as = {"type": "AWSAccount", "principalId": caller.principal_id, "accountId": caller.account_id}
        events.event_record(identity=caller, account_id=owner_account, user_identity=seen_as, **common)


def record_federated_call(
    name: str, trail: FederationTrail, meta: CallMeta, *, response: dict[str, Any] | None = None,
    error: AwsError | None = None,
) -> None:
    """An AssumeRoleWithSAML / AssumeRoleWithWebIdentity event in the role's account, the caller as its identity
    provider named it (`SAMLUser`, `WebIdentityUser`). Nothing is recorded when the role's account is none of ours."""
    if trail.account_id is None:
        return
    block = trail.user_identity
    caller = Identity(
        account_id=trail.account_id, arn="", type=str(block.get("type", "Unknown")),
        name=str(block.get("userName", "")), principal_id=str(block.get("principalId", "")), source_ip=meta.source_ip,
    )
    events.event_record(
        identity=caller, account_id=trail.account_id, user_identity=block, event_name=name, event_source=STS_SOURCE,
        request_parameters=trail.request_parameters, response_elements=response if error is None else None,
        error_code=error.code if error else "", error_message=error.message if error else "",
        request_id=meta.request_id, aws_region=meta.region, source_ip=meta.source_ip, user_agent=meta.user_agent,
    )
