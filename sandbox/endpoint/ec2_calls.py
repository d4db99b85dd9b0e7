"""EC2 through the AWS endpoint (the `ec2` protocol, 2016-11-15): parse, authorize every check, answer, record.

EC2's dialect of the Query protocol: lists are `InstanceId.1=...` and members go by their capitalised locationName
on the way in; answers are `<ActionResponse xmlns=...><requestId>` with no Result wrapper and lists as `<item>`;
errors are `<Response><Errors><Error>` with `<RequestID>`. Both directions follow botocore's model of EC2.
"""
from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

import botocore.session
from botocore.model import ListShape, Shape, StructureShape
from django.http import HttpResponse

from sandbox import ec2, ec2_catalog
from sandbox.clock import sandbox_now
from sandbox.endpoint.calls import CallInfo
from sandbox.endpoint.service_calls import authorize_all, call_checks, cloudtrail_parameters, record_service_call
from sandbox.endpoint.sigv4 import IncomingRequest
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.moto_store import AccountBackends, account_reader
from sandbox.operations import Authorization, Operation, OperationError, supported_operations

NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
MODEL = botocore.session.get_session().get_service_model("ec2")
UNAUTHORIZED = "You are not authorized to perform this operation. {reason}"
DRY_RUN = "Request would have succeeded, but DryRun flag is set."
NOT_AVAILABLE = "ec2:{action} is not available in this training sandbox yet"
NO_PROFILE = "The request must contain the parameter IamInstanceProfile"


@dataclass(frozen=True, slots=True)
class Ec2Call:
    """One call as its answer needs it: who, what, when, and the instance profile it names (found in IAM)."""

    identity: Identity
    operation: Operation
    now: datetime
    profile: ec2.ProfileRef | None = None

    @property
    def account_id(self) -> str:
        return self.identity.account_id

    @property
    def params(self) -> Mapping[str, Any]:
        return self.operation.params

    @property
    def named_profile(self) -> ec2.ProfileRef:
        if self.profile is None:
            raise AwsError(NO_PROFILE, code="MissingParameter", status=400)
        return self.profile


def parse_ec2_call(incoming: IncomingRequest, body: bytes, region: str) -> Operation:
    """Action and parameters from the query string and the form body, shaped by the operation's input shape."""
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(incoming.url).query, keep_blank_values=True)
    if incoming.method == "POST":
        pairs += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    params = dict(pairs)
    action = params.get("Action", "")
    if action not in MODEL.operation_names:
        raise OperationError("InvalidAction", f"The action {action} is not valid for this web service.")
    shape = MODEL.operation_model(action).input_shape
    return Operation("ec2", action, _structure(shape, params, "") if shape else {}, region)


def _wire_name(member: Shape, name: str) -> str:
    """botocore's EC2 serializer: queryName, else the locationName capitalised, else the member name."""
    if "queryName" in member.serialization:
        return str(member.serialization["queryName"])
    location = str(member.serialization.get("name", ""))
    return location[:1].upper() + location[1:] if location else name


def _value(shape: Shape, params: Mapping[str, str], key: str) -> Any:
    if isinstance(shape, StructureShape):
        return _structure(shape, params, key + ".") or None
    if isinstance(shape, ListShape):
        prefix = key + "."
        indices = sorted({int(k[len(prefix):].split(".", 1)[0]) for k in params
                          if k.startswith(prefix) and k[len(prefix):].split(".", 1)[0].isdigit()})
        items = [_value(shape.member, params, f"{key}.{index}") for index in indices]
        return [item for item in items if item is not None] or None
    raw = params.get(key)
    if raw is None:
        return None
    if shape.type_name in ("integer", "long"):
        return int(raw) if raw.lstrip("-").isdigit() else raw
    if shape.type_name == "boolean":
        return raw.lower() == "true"
    return raw


def _structure(shape: StructureShape, params: Mapping[str, str], prefix: str) -> dict[str, Any]:
    found = {name: _value(member, params, prefix + _wire_name(member, name)) for name, member in shape.members.items()}
    return {name: value for name, value in found.items() if value is not None}


def _xml(shape: Shape, value: Any) -> str:
    """A value as EC2 writes it: members by locationName, list items as `<item>`, ISO 8601 times."""
    if isinstance(shape, StructureShape):
        unknown = set(value) - set(shape.members)
        if unknown:
            raise KeyError(f"{shape.name} has no member {sorted(unknown)}")
        parts = []
        for name, member in shape.members.items():
            if value.get(name) is not None:
                tag = member.serialization.get("name", name)
                parts.append(f"<{tag}>{_xml(member, value[name])}</{tag}>")
        return "".join(parts)
    if isinstance(shape, ListShape):
        tag = shape.member.serialization.get("name", "item")
        return "".join(f"<{tag}>{_xml(shape.member, item)}</{tag}>" for item in value)
    if shape.type_name == "timestamp":
        return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    if shape.type_name == "boolean":
        return "true" if value else "false"
    return escape(str(value))


def ec2_response(action: str, answer: Mapping[str, Any], request_id: str) -> HttpResponse:
    shape = MODEL.operation_model(action).output_shape
    inner = _xml(shape, answer) if shape is not None else "<return>true</return>"
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="{NAMESPACE}">'
        f"<requestId>{request_id}</requestId>{inner}</{action}Response>"
    )
    response = HttpResponse(body, content_type="text/xml;charset=UTF-8")
    response["x-amzn-RequestId"] = request_id
    return response


def ec2_error(code: str, message: str, status: int, request_id: str) -> HttpResponse:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
    )
    response = HttpResponse(body, status=status, content_type="text/xml;charset=UTF-8")
    response["x-amzn-RequestId"] = request_id
    return response


def _instances_of(call: Operation, account_id: str) -> list[str]:
    if call.name in ("DisassociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation"):
        association = ec2.association_get(
            account_id=account_id, region=call.region, association_id=str(call.params.get("AssociationId", ""))
        )
        return [association.instance.instance_id]
    return [str(instance_id) for instance_id in call.params.get("InstanceIds") or ()]


def _checks(backends: AccountBackends, identity: Identity, call: Operation) -> list[Authorization]:
    """The call's checks. Disassociate/Replace name an association, which `ec2_rules` cannot resolve without the
    instance state: they are checked on the association's instance as AssociateIamInstanceProfile is (plus PassRole
    for a new profile), under their own action, as AWS authorizes them on the instance ARN too."""
    if call.name in supported_operations("ec2"):
        return list(call_checks(backends, identity, call))
    checks = []
    for instance_id in _instances_of(call, identity.account_id):
        params = {"InstanceId": instance_id, "IamInstanceProfile": call.params.get("IamInstanceProfile")}
        borrowed = Operation("ec2", "AssociateIamInstanceProfile", params, call.region)
        for check in call_checks(backends, identity, borrowed):
            action = check.action if check.action == "iam:PassRole" else f"ec2:{call.name}"
            checks.append(dataclasses.replace(check, action=action))
    return checks


def _prepare(identity: Identity, operation: Operation, info: CallInfo) -> Ec2Call:
    """Authorize every check, then find the instance profile the call names (AWS checks PassRole first)."""
    with account_reader(identity.account_id) as backends:
        authorize_all(backends, identity, _checks(backends, identity, operation), info.origin)
        spec = operation.params.get("IamInstanceProfile")
        if not spec and operation.name in ("AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation"):
            raise AwsError(NO_PROFILE, code="MissingParameter", status=400)
        profile = ec2.profile_find(backends, spec) if spec else None
    if operation.params.get("DryRun"):
        raise AwsError(DRY_RUN, code="DryRunOperation", status=412)
    return Ec2Call(identity, operation, sandbox_now(identity.account_id), profile)


def serve_ec2_call(*, identity: Identity, incoming: IncomingRequest, payload: bytes, info: CallInfo) -> HttpResponse:
    """Parse, authorize, answer and record one EC2 call."""
    try:
        operation = parse_ec2_call(incoming, payload, info.region)
    except OperationError as unparsed:
        return ec2_error(unparsed.code, unparsed.message, 400, info.request_id)
    answer_for = ANSWERS.get(operation.name)
    if answer_for is None:
        message = NOT_AVAILABLE.format(action=operation.name)
        return ec2_error("UnsupportedOperation", message, 400, info.request_id)
    parameters = cloudtrail_parameters(operation.params, hidden=("UserData",))
    try:
        answer = answer_for(_prepare(identity, operation, info))
    except AccessDenied as denied:
        refused = AwsError(UNAUTHORIZED.format(reason=denied.message), code="UnauthorizedOperation", status=403)
        record_service_call(identity, operation, info, error=_as_logged(refused), parameters=parameters)
        return ec2_error(refused.code, refused.message, refused.status, info.request_id)
    except (AwsError, OperationError) as failed:
        error = failed if isinstance(failed, AwsError) else AwsError(failed.message, code=failed.code, status=400)
        record_service_call(identity, operation, info, error=_as_logged(error), parameters=parameters)
        return ec2_error(error.code, error.message, error.status, info.request_id)
    record_service_call(identity, operation, info, error=None, parameters=parameters)
    return ec2_response(operation.name, answer, info.request_id)


def _as_logged(error: AwsError) -> AwsError:
    """CloudTrail writes EC2's client errors as `Client.<code>` (`Client.UnauthorizedOperation`)."""
    return AwsError(error.message, code=f"Client.{error.code}", status=error.status)


def _run_instances(call: Ec2Call) -> dict[str, Any]:
    instance_types = MODEL.shape_for("InstanceType").enum
    launched = ec2.instances_run(
        account_id=call.account_id, region=call.operation.region, params=call.params, profile=call.profile,
        offered_types=instance_types, now=call.now,
    )
    return ec2.reservation_shape(call.account_id, launched, state="pending")


def _describe_instances(call: Ec2Call) -> dict[str, Any]:
    found = ec2.instances_select(
        account_id=call.account_id, region=call.operation.region, instance_ids=call.params.get("InstanceIds") or (),
        filters=call.params.get("Filters") or (), now=call.now,
    )
    by_reservation: dict[str, list[Any]] = {}
    for instance in found:
        by_reservation.setdefault(instance.reservation_id, []).append(instance)
    return {"Reservations": [ec2.reservation_shape(call.account_id, group) for group in by_reservation.values()]}


def _change_state(target: str, member: str) -> Callable[[Ec2Call], dict[str, Any]]:
    def answer(call: Ec2Call) -> dict[str, Any]:
        changes = ec2.instances_change_state(
            account_id=call.account_id, region=call.operation.region,
            instance_ids=call.params.get("InstanceIds") or (), target=target, now=call.now,
        )
        return {member: [change.shape() for change in changes]}

    return answer


def _associate(call: Ec2Call) -> dict[str, Any]:
    association = ec2.profile_associate(
        account_id=call.account_id, region=call.operation.region, instance_id=str(call.params.get("InstanceId", "")),
        profile=call.named_profile, now=call.now,
    )
    return {"IamInstanceProfileAssociation": ec2.association_shape(association, "associating")}


def _association(call: Ec2Call) -> Any:
    association_id = str(call.params.get("AssociationId", ""))
    return ec2.association_get(account_id=call.account_id, region=call.operation.region, association_id=association_id)


def _disassociate(call: Ec2Call) -> dict[str, Any]:
    association = ec2.profile_disassociate(_association(call))
    return {"IamInstanceProfileAssociation": ec2.association_shape(association, "disassociating")}


def _replace(call: Ec2Call) -> dict[str, Any]:
    association = ec2.profile_replace(association=_association(call), profile=call.named_profile, now=call.now)
    return {"IamInstanceProfileAssociation": ec2.association_shape(association, "associating")}


def _describe_associations(call: Ec2Call) -> dict[str, Any]:
    found = ec2.associations_select(
        account_id=call.account_id, region=call.operation.region,
        association_ids=call.params.get("AssociationIds") or (), filters=call.params.get("Filters") or (),
        now=call.now,
    )
    return {"IamInstanceProfileAssociations": [ec2.association_shape(association) for association in found]}


ANSWERS: dict[str, Callable[[Ec2Call], dict[str, Any]]] = {
    "RunInstances": _run_instances,
    "DescribeInstances": _describe_instances,
    "TerminateInstances": _change_state("terminated", "TerminatingInstances"),
    "StopInstances": _change_state("stopped", "StoppingInstances"),
    "StartInstances": _change_state("running", "StartingInstances"),
    "AssociateIamInstanceProfile": _associate,
    "DisassociateIamInstanceProfile": _disassociate,
    "ReplaceIamInstanceProfileAssociation": _replace,
    "DescribeIamInstanceProfileAssociations": _describe_associations,
    "DescribeImages": lambda call: {"Images": ec2_catalog.image_shapes(
        call.params.get("ImageIds") or (), call.params.get("Owners") or (), call.params.get("Filters") or (),
        call.operation.region)},
    "DescribeInstanceTypes": lambda call: {"InstanceTypes": ec2_catalog.instance_type_shapes(
        call.params.get("InstanceTypes") or (), call.params.get("Filters") or ())},
    "DescribeRegions": lambda call: {"Regions": ec2_catalog.region_shapes(call.params.get("RegionNames") or ())},
    "DescribeAvailabilityZones": lambda call: {"AvailabilityZones": ec2_catalog.zone_shapes(
        call.params.get("ZoneNames") or (), call.params.get("ZoneIds") or (), call.params.get("Filters") or ())},
}
