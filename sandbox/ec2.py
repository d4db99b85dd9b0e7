"""EC2 in a sandbox account: instances, their state and their IAM instance profiles.

State lives in our own models, scoped to one account and region: another account's instances do not exist here.
Answers are dicts shaped like botocore's output shapes (member names); `sandbox/endpoint/ec2_calls.py` writes the XML.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from sandbox.ec2_catalog import IMAGES_BY_ID, INSTANCE_TYPES, REGION, ZONES, Ec2Error, Getter, InstanceType, filtered
from sandbox.models import Account, Ec2Instance, Ec2ProfileAssociation
from sandbox.moto_store import AccountBackends, account_reader
from sandbox.sts.service_sessions import ServiceRole, role_from_backends

MAX_INSTANCES = 10  # per account and region, stopped ones included
TERMINATED_VISIBLE = timedelta(hours=1)  # AWS: terminated instances stay visible for about an hour
STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

NOT_FOUND = "The instance ID '{id}' does not exist"
NOT_FOUND_MANY = "The instance IDs '{ids}' do not exist"
MALFORMED = 'Invalid id: "{id}"'
IMAGE_NOT_FOUND = "The image id '[{id}]' does not exist"
PROFILE_NAME = "Value ({value}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
PROFILE_ARN = "Value ({value}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN"
EXISTING_ASSOCIATION = "There is an existing association for instance {id}"
BAD_ASSOCIATION = "Invalid value for associationId."
CANNOT_STOP = "This instance '{id}' is not in a state from which it can be stopped."
CANNOT_START = "The instance '{id}' is not in a state from which it can be started."
BAD_STATE = "The instance '{id}' is not in a valid state for this operation."
BAD_TYPE = "Invalid value '{value}' for InstanceType."
TYPE_NOT_OFFERED = "The instance type '{value}' is not available in this training sandbox (available: {offered})"
OVER_LIMIT = (
    "You have requested more instances ({count}) than your current instance limit of {limit} allows for the "
    "specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment "
    "to this limit."
)
COUNT_INVALID = "Value ({value}) for parameter {name} is invalid. Expected a value greater than or equal to 1"
COUNTS_CROSSED = "Value ({minimum}) for parameter minCount is invalid. Expected a value less than or equal to maxCount"


@dataclass(frozen=True, slots=True)
class ProfileRef:
    """An instance profile named by a call, as found in the account's IAM state."""

    arn: str
    id: str
    role_arn: str | None


def profile_find(backends: AccountBackends, spec: Mapping[str, Any]) -> ProfileRef:
    """The instance profile given by `Arn` or `Name`; AWS's InvalidParameterValue when there is no such profile."""
    arn, name = spec.get("Arn"), spec.get("Name")
    profiles = backends.iam.instance_profiles.values()
    found = next((p for p in profiles if (p.arn == arn if arn else p.name == name)), None)
    if found is None:
        message = PROFILE_ARN.format(value=arn) if arn else PROFILE_NAME.format(value=name)
        raise Ec2Error(message, code="InvalidParameterValue")
    return ProfileRef(arn=str(found.arn), id=str(found.id), role_arn=str(found.roles[0].arn) if found.roles else None)


def _hex_id(prefix: str) -> str:
    return prefix + secrets.token_hex(9)[:17]


def _account_hex(account_id: str, salt: str) -> str:
    return hashlib.sha256(f"{account_id}/{salt}".encode()).hexdigest()[:17]


def _association(instance: Ec2Instance) -> Ec2ProfileAssociation | None:
    return getattr(instance, "profile_association", None)


_INSTANCE_FILTERS: dict[str, Getter] = {
    "instance-id": lambda i: (i.instance_id,),
    "instance-state-name": lambda i: (i.state,),
    "instance-state-code": lambda i: (str(STATE_CODES[i.state]),),
    "instance-type": lambda i: (i.instance_type,),
    "image-id": lambda i: (i.image_id,),
    "reservation-id": lambda i: (i.reservation_id,),
    "private-ip-address": lambda i: (i.private_ip,),
    "availability-zone": lambda i: (ZONES[0][0],),
    "tag-key": lambda i: tuple(i.tags),
    "tag-value": lambda i: tuple(i.tags.values()),
    "iam-instance-profile.arn": lambda i: (a.profile_arn,) if (a := _association(i)) else (),
}


def _visible(account_id: str, region: str, now: datetime) -> Any:
    return Ec2Instance.objects.filter(account__account_id=account_id, region=region).exclude(
        state=Ec2Instance.State.TERMINATED, state_changed_at__lt=now - TERMINATED_VISIBLE,
    ).select_related("profile_association", "account").order_by("launched_at", "launch_index")


def instances_select(*, account_id: str, region: str, instance_ids: Sequence[str] = (),
                     filters: Sequence[Mapping[str, Any]] = (), now: datetime) -> list[Ec2Instance]:
    """The account's instances in `region` (recently terminated ones included), by id and filters."""
    for instance_id in instance_ids:
        if not instance_id.startswith("i-"):
            raise Ec2Error(MALFORMED.format(id=instance_id), code="InvalidInstanceID.Malformed")
    found = list(_visible(account_id, region, now))
    if instance_ids:
        found = [instance for instance in found if instance.instance_id in instance_ids]
        missing = [i for i in dict.fromkeys(instance_ids) if i not in {f.instance_id for f in found}]
        if missing:
            message = NOT_FOUND.format(id=missing[0]) if len(missing) == 1 else NOT_FOUND_MANY.format(
                ids=", ".join(missing))
            raise Ec2Error(message, code="InvalidInstanceID.NotFound")
    return filtered(found, filters, _INSTANCE_FILTERS, tags=lambda instance: instance.tags)


def _instance_type(params: Mapping[str, Any], offered_enum: Sequence[str]) -> InstanceType:
    # AWS defaults to m1.small, which the sandbox does not offer: the smallest type it offers stands in.
    name = str(params.get("InstanceType") or "t2.micro")
    if name in INSTANCE_TYPES:
        return INSTANCE_TYPES[name]
    if name in offered_enum:
        raise Ec2Error(TYPE_NOT_OFFERED.format(value=name, offered=", ".join(INSTANCE_TYPES)), code="Unsupported")
    raise Ec2Error(BAD_TYPE.format(value=name), code="InvalidParameterValue")


def _launch_count(account_id: str, region: str, params: Mapping[str, Any], now: datetime) -> int:
    minimum, maximum = params.get("MinCount"), params.get("MaxCount")
    for name, value in (("minCount", minimum), ("maxCount", maximum)):
        if not isinstance(value, int) or value < 1:
            raise Ec2Error(COUNT_INVALID.format(value=value, name=name), code="InvalidParameterValue")
    assert isinstance(minimum, int) and isinstance(maximum, int)
    if minimum > maximum:
        raise Ec2Error(COUNTS_CROSSED.format(minimum=minimum), code="InvalidParameterValue")
    live = _visible(account_id, region, now).exclude(state=Ec2Instance.State.TERMINATED).count()
    room = MAX_INSTANCES - live
    if minimum > room:
        raise Ec2Error(OVER_LIMIT.format(count=live + minimum, limit=MAX_INSTANCES), code="InstanceLimitExceeded")
    return min(maximum, room)


def instances_run(*, account_id: str, region: str, params: Mapping[str, Any], profile: ProfileRef | None,
                  offered_types: Sequence[str], now: datetime) -> list[Ec2Instance]:
    """RunInstances: validate as EC2 does, then launch (running at once; the answer says pending)."""
    image_id = str(params.get("ImageId") or "")
    if not image_id:
        raise Ec2Error("The request must contain the parameter ImageId", code="MissingParameter")
    if not image_id.startswith("ami-"):
        raise Ec2Error(MALFORMED.format(id=image_id), code="InvalidAMIID.Malformed")
    if image_id not in IMAGES_BY_ID or region != REGION:
        raise Ec2Error(IMAGE_NOT_FOUND.format(id=image_id), code="InvalidAMIID.NotFound")
    kind = _instance_type(params, offered_types)
    tags = {str(tag["Key"]): str(tag.get("Value", "")) for spec in params.get("TagSpecifications") or ()
            if spec.get("ResourceType") == "instance" for tag in spec.get("Tags") or ()}
    with transaction.atomic():
        account = Account.objects.select_for_update().get(account_id=account_id)
        count = _launch_count(account_id, region, params, now)
        reservation = _hex_id("r-")
        launched = [Ec2Instance.objects.create(
            account=account, region=region, instance_id=_hex_id("i-"), reservation_id=reservation,
            launch_index=index, image_id=image_id, instance_type=kind.name, private_ip=_private_ip(),
            tags=tags, launched_at=now, state_changed_at=now,
        ) for index in range(count)]
        if profile is not None:
            for instance in launched:
                _associate(instance, profile, now)
    return launched


def _private_ip() -> str:
    return f"172.31.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def _associate(instance: Ec2Instance, profile: ProfileRef, now: datetime) -> Ec2ProfileAssociation:
    association = Ec2ProfileAssociation.objects.create(
        association_id=_hex_id("iip-assoc-"), instance=instance, profile_arn=profile.arn, profile_id=profile.id,
        associated_at=now,
    )
    instance.profile_association = association
    return association


@dataclass(frozen=True, slots=True)
class StateChange:
    instance_id: str
    previous: str
    current: str

    def shape(self) -> dict[str, Any]:
        return {"InstanceId": self.instance_id, "PreviousState": _state(self.previous),
                "CurrentState": _state(self.current)}


def _state(name: str) -> dict[str, Any]:
    return {"Code": STATE_CODES[name], "Name": name}


_TRANSITIONS = {  # target -> (state reported while it happens, message when the instance cannot get there)
    Ec2Instance.State.TERMINATED: ("shutting-down", ""),
    Ec2Instance.State.STOPPED: ("stopping", CANNOT_STOP),
    Ec2Instance.State.RUNNING: ("pending", CANNOT_START),
}


def instances_change_state(*, account_id: str, region: str, instance_ids: Sequence[str], target: str,
                           now: datetime) -> list[StateChange]:
    """TerminateInstances, StopInstances, StartInstances: all named instances change, or none."""
    instances = instances_select(account_id=account_id, region=region, instance_ids=instance_ids, now=now)
    transitional, refusal = _TRANSITIONS[Ec2Instance.State(target)]
    for instance in instances:
        if instance.state == Ec2Instance.State.TERMINATED and target != instance.state:
            raise Ec2Error(refusal.format(id=instance.instance_id), code="IncorrectInstanceState")
    changes = []
    with transaction.atomic():
        for instance in instances:
            previous = instance.state
            changes.append(StateChange(instance.instance_id, previous,
                                       previous if previous == target else transitional))
            if previous != target:
                Ec2Instance.objects.filter(pk=instance.pk).update(state=target, state_changed_at=now)
            if target == Ec2Instance.State.TERMINATED:
                Ec2ProfileAssociation.objects.filter(instance=instance).delete()
    return changes


def profile_associate(*, account_id: str, region: str, instance_id: str, profile: ProfileRef,
                      now: datetime) -> Ec2ProfileAssociation:
    """AssociateIamInstanceProfile: one profile per instance, never on a terminated one."""
    (instance,) = instances_select(account_id=account_id, region=region, instance_ids=[instance_id], now=now)
    if instance.state == Ec2Instance.State.TERMINATED:
        raise Ec2Error(BAD_STATE.format(id=instance_id), code="IncorrectInstanceState")
    existing = Ec2Error(EXISTING_ASSOCIATION.format(id=instance_id), code="IncorrectState")
    if _association(instance) is not None:
        raise existing
    try:
        with transaction.atomic():
            return _associate(instance, profile, now)
    except IntegrityError as exc:  # associated meanwhile by a concurrent call
        raise existing from exc


def association_get(*, account_id: str, region: str, association_id: str) -> Ec2ProfileAssociation:
    found = Ec2ProfileAssociation.objects.select_related("instance").filter(
        association_id=association_id, instance__account__account_id=account_id, instance__region=region,
    ).first()
    if found is None:
        raise Ec2Error(BAD_ASSOCIATION, code="InvalidParameterValue")
    return found


def profile_disassociate(association: Ec2ProfileAssociation) -> Ec2ProfileAssociation:
    Ec2ProfileAssociation.objects.filter(pk=association.pk).delete()
    return association


def profile_replace(*, association: Ec2ProfileAssociation, profile: ProfileRef, now: datetime) -> Ec2ProfileAssociation:
    """ReplaceIamInstanceProfileAssociation: a new association (new id) takes the old one's place."""
    with transaction.atomic():
        instance = association.instance
        Ec2ProfileAssociation.objects.filter(pk=association.pk).delete()
        return _associate(instance, profile, now)


def associations_select(*, account_id: str, region: str, association_ids: Sequence[str],
                        filters: Sequence[Mapping[str, Any]], now: datetime) -> list[Ec2ProfileAssociation]:
    found = [i.profile_association for i in _visible(account_id, region, now) if _association(i) is not None]
    if association_ids:
        if set(association_ids) - {a.association_id for a in found}:
            raise Ec2Error(BAD_ASSOCIATION, code="InvalidParameterValue")
        found = [a for a in found if a.association_id in association_ids]
    getters: dict[str, Getter] = {
        "instance-id": lambda a: (a.instance.instance_id,), "state": lambda a: ("associated",),
    }
    return filtered(found, filters, getters)


def association_shape(association: Ec2ProfileAssociation, state: str = "associated") -> dict[str, Any]:
    return {
        "AssociationId": association.association_id, "InstanceId": association.instance.instance_id,
        "IamInstanceProfile": {"Arn": association.profile_arn, "Id": association.profile_id},
        "State": state, "Timestamp": association.associated_at,
    }


def instance_shape(instance: Ec2Instance, *, state: str | None = None) -> dict[str, Any]:
    """An instance as DescribeInstances shows it (`state` overrides the stored one, for RunInstances' pending)."""
    account = instance.account.account_id
    name = state or instance.state
    shape: dict[str, Any] = {
        "InstanceId": instance.instance_id, "ImageId": instance.image_id, "State": _state(name),
        "PrivateDnsName": f"ip-{instance.private_ip.replace('.', '-')}.ec2.internal", "PublicDnsName": "",
        "StateTransitionReason": "", "AmiLaunchIndex": instance.launch_index, "ProductCodes": [],
        "InstanceType": instance.instance_type, "LaunchTime": instance.launched_at,
        "Placement": {"AvailabilityZone": ZONES[0][0], "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "disabled"}, "SubnetId": f"subnet-{_account_hex(account, 'subnet')}",
        "VpcId": f"vpc-{_account_hex(account, 'vpc')}", "PrivateIpAddress": instance.private_ip,
        "Architecture": "x86_64", "RootDeviceType": "ebs", "RootDeviceName": IMAGES_BY_ID[instance.image_id].root_device
        if instance.image_id in IMAGES_BY_ID else "/dev/xvda", "VirtualizationType": "hvm", "Hypervisor": "xen",
        "SecurityGroups": [{"GroupName": "default", "GroupId": f"sg-{_account_hex(account, 'sg')}"}],
        "SourceDestCheck": True, "EbsOptimized": False, "EnaSupport": True, "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances", "Tags": [{"Key": k, "Value": v} for k, v in instance.tags.items()],
        "MetadataOptions": {"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 2,
                            "HttpEndpoint": "enabled"},
    }
    if (association := _association(instance)) is not None:
        shape["IamInstanceProfile"] = {"Arn": association.profile_arn, "Id": association.profile_id}
    if name in ("stopped", "terminated"):
        reason = "Client.UserInitiatedShutdown"
        shape["StateReason"] = {"Code": reason, "Message": f"{reason}: User initiated shutdown"}
    return shape


def reservation_shape(account_id: str, instances: Sequence[Ec2Instance], *, state: str | None = None) -> dict[str, Any]:
    return {"ReservationId": instances[0].reservation_id, "OwnerId": account_id, "Groups": [],
            "Instances": [instance_shape(instance, state=state) for instance in instances]}



@dataclass(frozen=True, slots=True)
class InstanceRole:
    """An instance's profile as the instance metadata service sees it, and the profile's role now (if any)."""

    profile_arn: str
    profile_id: str
    role: ServiceRole | None


def metadata_instance(*, account_id: str, instance_id: str) -> Ec2Instance | None:
    """A running instance of the account: the instance metadata service answers only on one."""
    return Ec2Instance.objects.select_related("profile_association", "account").filter(
        account__account_id=account_id, instance_id=instance_id, state=Ec2Instance.State.RUNNING,
    ).first()


def instance_role(instance: Ec2Instance) -> InstanceRole | None:
    """The role the instance gets. EC2 holds the profile by unique id: a profile deleted and re-created under the
    same name is another profile, and gives the instance no role."""
    association = _association(instance)
    if association is None:
        return None
    with account_reader(instance.account.account_id) as backends:
        profile = next((p for p in backends.iam.instance_profiles.values() if p.id == association.profile_id), None)
        role = role_from_backends(backends, str(profile.roles[0].arn)) if profile and profile.roles else None
    return InstanceRole(association.profile_arn, association.profile_id, role)
