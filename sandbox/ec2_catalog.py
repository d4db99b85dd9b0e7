"""The fixed part of the sandbox's EC2: images, instance types, the region and its zones; EC2 errors and filters.

One region (us-east-1) with a handful of public images and small instance types, enough for the service-role labs.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.errors import AwsError

REGION = "us-east-1"
AMAZON, CANONICAL = "137112412989", "099720109477"
BAD_FILTER = "The filter '{name}' is invalid"


class Ec2Error(AwsError):
    """An EC2 client error (HTTP 400 unless said otherwise)."""

    status = 400


@dataclass(frozen=True, slots=True)
class Image:
    image_id: str
    name: str
    description: str
    owner_id: str
    created: str
    root_device: str = "/dev/xvda"

    def shape(self) -> dict[str, Any]:
        alias = {"ImageOwnerAlias": "amazon"} if self.owner_id == AMAZON else {}
        return {
            "ImageId": self.image_id, "ImageLocation": f"{alias.get('ImageOwnerAlias', self.owner_id)}/{self.name}",
            "State": "available", "OwnerId": self.owner_id, "CreationDate": self.created, "Public": True,
            "Architecture": "x86_64", "ImageType": "machine", "Name": self.name, "Description": self.description,
            "RootDeviceName": self.root_device, "RootDeviceType": "ebs", "VirtualizationType": "hvm",
            "Hypervisor": "xen", "EnaSupport": True, "PlatformDetails": "Linux/UNIX", "UsageOperation": "RunInstances",
            "BootMode": "uefi-preferred", **alias,
        }


# us-east-1 images named as their publishers name them (ids look like AWS's; they are not kept current).
IMAGES = (
    Image("ami-0453ec754f44f9a4a", "al2023-ami-2023.6.20241121.0-kernel-6.1-x86_64",
          "Amazon Linux 2023 AMI 2023.6.20241121.0 x86_64 HVM kernel-6.1", AMAZON, "2024-11-20T20:12:28.000Z"),
    Image("ami-0166fe664262f664c", "amzn2-ami-kernel-5.10-hvm-2.0.20241113.1-x86_64-gp2",
          "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241113.1 x86_64 HVM gp2", AMAZON, "2024-11-13T22:09:38.000Z"),
    Image("ami-0e2c8caa4b6378d8c", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241119",
          "Canonical, Ubuntu, 24.04, amd64 noble image", CANONICAL, "2024-11-19T23:28:41.000Z", "/dev/sda1"),
    Image("ami-005fc0f236362e99f", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240927",
          "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image", CANONICAL, "2024-09-27T18:52:05.000Z", "/dev/sda1"),
)
IMAGES_BY_ID = {image.image_id: image for image in IMAGES}


@dataclass(frozen=True, slots=True)
class InstanceType:
    name: str
    vcpus: int
    memory_mib: int
    hypervisor: str
    free_tier: bool

    @property
    def nitro(self) -> bool:
        return self.hypervisor == "nitro"

    def shape(self) -> dict[str, Any]:
        return {
            "InstanceType": self.name, "CurrentGeneration": True, "FreeTierEligible": self.free_tier,
            "SupportedUsageClasses": ["on-demand", "spot"], "SupportedRootDeviceTypes": ["ebs"],
            "SupportedVirtualizationTypes": ["hvm"], "BareMetal": False, "Hypervisor": self.hypervisor,
            "ProcessorInfo": {"SupportedArchitectures": ["x86_64"], "SustainedClockSpeedInGhz": 2.5},
            "VCpuInfo": {"DefaultVCpus": self.vcpus, "DefaultCores": max(1, self.vcpus // 2),
                         "DefaultThreadsPerCore": 1 if self.vcpus == 1 else 2},
            "MemoryInfo": {"SizeInMiB": self.memory_mib}, "InstanceStorageSupported": False,
            "NetworkInfo": {"NetworkPerformance": "Up to 5 Gigabit" if self.nitro else "Low to Moderate"},
            "BurstablePerformanceSupported": True, "HibernationSupported": True, "AutoRecoverySupported": True,
        }


INSTANCE_TYPES = {t.name: t for t in (
    InstanceType("t2.micro", 1, 1024, "xen", True), InstanceType("t3.micro", 2, 1024, "nitro", True),
    InstanceType("t3.small", 2, 2048, "nitro", False), InstanceType("t3.medium", 2, 4096, "nitro", False),
)}
ZONES = tuple((f"{REGION}{letter}", f"use1-az{number}") for number, letter in enumerate("abcdef", start=1))




def _matches(values: Iterable[str], wanted: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, pattern) for value in values for pattern in wanted)


Getter = Callable[[Any], Sequence[str]]
"""An item's values for one filter name."""


def filtered(items: Iterable[Any], filters: Sequence[Mapping[str, Any]], getters: Mapping[str, Getter],
             tags: Callable[[Any], Mapping[str, str]] | None = None) -> list[Any]:
    """EC2 filters: every filter must match one of its values (`*` and `?` as wildcards). `tag:<key>` filters work
    where `tags` gives an item's tags; any other name not in `getters` is refused, as EC2 does."""
    kept = list(items)
    for entry in filters:
        name, wanted = str(entry.get("Name", "")), [str(v) for v in entry.get("Values") or ()]
        if name.startswith("tag:") and tags is not None:
            getter = _tag_getter(tags, name[4:])
        elif name in getters:
            getter = getters[name]
        else:
            raise Ec2Error(BAD_FILTER.format(name=name), code="InvalidParameterValue")
        kept = [item for item in kept if _matches(getter(item), wanted)]
    return kept


def _tag_getter(tags: Callable[[Any], Mapping[str, str]], key: str) -> Getter:
    def values(item: Any) -> Sequence[str]:
        value = tags(item).get(key)
        return () if value is None else (value,)

    return values


def _fields(keys: Mapping[str, str]) -> dict[str, Getter]:
    """Getters reading a shape's fields: `{filter name: member name}`; booleans as `true`/`false`."""
    def getter(member: str) -> Getter:
        def values(shape: Any) -> Sequence[str]:
            value = shape.get(member)
            return () if value is None else (str(value).lower() if isinstance(value, bool) else str(value),)

        return values

    return {name: getter(member) for name, member in keys.items()}


def region_shapes(names: Sequence[str]) -> list[dict[str, Any]]:
    """DescribeRegions: the sandbox's one region (unknown names are AWS's InvalidParameterValue)."""
    for name in names:
        if name != REGION:
            raise Ec2Error(f"Invalid region: {name}", code="InvalidParameterValue")
    return [{"RegionName": REGION, "Endpoint": f"ec2.{REGION}.amazonaws.com", "OptInStatus": "opt-in-not-required"}]


def zone_shapes(names: Sequence[str], ids: Sequence[str], filters: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """DescribeAvailabilityZones over the region's six zones."""
    zones = [{"ZoneName": name, "ZoneId": zone_id, "State": "available", "RegionName": REGION,
              "GroupName": REGION, "NetworkBorderGroup": REGION, "ZoneType": "availability-zone",
              "OptInStatus": "opt-in-not-required", "Messages": []} for name, zone_id in ZONES]
    if names or ids:
        zones = [zone for zone in zones if zone["ZoneName"] in names or zone["ZoneId"] in ids]
    keys = {"zone-name": "ZoneName", "zone-id": "ZoneId", "region-name": "RegionName", "state": "State",
            "zone-type": "ZoneType"}
    return filtered(zones, filters, _fields(keys))


def image_shapes(image_ids: Sequence[str], owners: Sequence[str], filters: Sequence[Mapping[str, Any]],
                 region: str) -> list[dict[str, Any]]:
    """DescribeImages over the catalogue (the sandbox has no images of the learner's own: `self` finds none)."""
    images = [image.shape() for image in IMAGES] if region == REGION else []
    missing = [i for i in image_ids if i not in {image["ImageId"] for image in images}]
    if missing:
        raise Ec2Error(f"The image id '[{missing[0]}]' does not exist", code="InvalidAMIID.NotFound")
    if image_ids:
        images = [image for image in images if image["ImageId"] in image_ids]
    if owners:
        images = [image for image in images if {image["OwnerId"], image.get("ImageOwnerAlias")} & set(owners)]
    keys = {"image-id": "ImageId", "name": "Name", "architecture": "Architecture", "owner-id": "OwnerId",
            "owner-alias": "ImageOwnerAlias", "state": "State", "description": "Description",
            "platform-details": "PlatformDetails", "root-device-type": "RootDeviceType", "image-type": "ImageType",
            "virtualization-type": "VirtualizationType", "is-public": "Public"}
    return filtered(images, filters, _fields(keys))


def instance_type_shapes(names: Sequence[str], filters: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """DescribeInstanceTypes over the types the sandbox offers."""
    unknown = [name for name in names if name not in INSTANCE_TYPES]
    if unknown:
        message = f"The following supplied instance types do not exist: [{', '.join(unknown)}]"
        raise Ec2Error(message, code="InvalidInstanceType")
    kinds = [kind for kind in INSTANCE_TYPES.values() if not names or kind.name in names]
    keys = {"instance-type": "InstanceType", "free-tier-eligible": "FreeTierEligible",
            "current-generation": "CurrentGeneration", "hypervisor": "Hypervisor"}
    return filtered([kind.shape() for kind in kinds], filters, _fields(keys))
