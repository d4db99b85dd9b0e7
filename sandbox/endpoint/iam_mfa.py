"""IAM's virtual MFA device calls, served by the sandbox: real seeds and QR codes, TOTP-checked enabling.

moto keeps the devices, but its seeds come from a non-cryptographic generator, it enables a device with any two
codes, lists seeds back and deletes devices still in use; these calls are answered here instead, on moto's objects.
Authorization has already happened when `mfa_call` runs.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sandbox import mfa
from sandbox.endpoint.dispatch import IAM_NAMESPACE, MotoResponse, iam_error, iam_ok
from sandbox.errors import AwsError, EntityAlreadyExists, NoSuchEntity, ValidationError
from sandbox.identity import Identity
from sandbox.moto_store import AccountBackends

if TYPE_CHECKING:
    from moto.iam.models import User, VirtualMfaDevice

# AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html. The model gives the name
# no maximum; the serial number (`arn:aws:iam::<account>:mfa/<name>`, at most 256 characters) leaves 226 for it.
NAME_PATTERN = re.compile(r"[\w+=,.@-]+", re.ASCII)
NAME_MAX = 226
PATH_PATTERN = re.compile(r"/|/[\u0021-\u007E]+/")
PATH_MAX = 512
MAX_ITEMS = 100
ASSIGNMENT_STATUSES = frozenset({"Assigned", "Unassigned", "Any"})
MOTO_STATUSES = {"NoSuchEntity": 404, "EntityAlreadyExists": 409, "DeleteConflict": 409, "LimitExceeded": 409}

NAME_INVALID = (
    "1 validation error detected: Value '{value}' at 'virtualMFADeviceName' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
)
NAME_TOO_LONG = (
    "1 validation error detected: Value '{value}' at 'virtualMFADeviceName' failed to satisfy constraint: "
    "Member must have length less than or equal to 226"
)
NAME_EMPTY = (
    "1 validation error detected: Value '' at 'virtualMFADeviceName' failed to satisfy constraint: "
    "Member must have length greater than or equal to 1"
)
PATH_INVALID = (
    "1 validation error detected: Value '{value}' at 'path' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"
)
PATH_TOO_LONG = (
    "1 validation error detected: Value '{value}' at 'path' failed to satisfy constraint: "
    "Member must have length less than or equal to 512"
)
DEVICE_EXISTS = "MFADevice entity at the same path and name already exists."
INVALID_CODES = "Authentication code for device is not valid."
NO_SUCH_USER = "The user with name {name} cannot be found."
# Best guesses at AWS's wording (an IAM-compatible service uses these; not confirmed against AWS itself).
NO_SUCH_DEVICE = "VirtualMFADevice with serial number {serial} does not exist."
DEVICE_IN_USE = "MFA Device is already in use."
DEVICE_NOT_USERS = "MFA Device invalid for user."
DEVICE_STILL_ASSIGNED = "MFA VirtualDevice in use. Must deactivate first."

Handler = Callable[[AccountBackends, Identity, Mapping[str, Any]], MotoResponse]


def mfa_call(backends: AccountBackends, identity: Identity, name: str, params: Mapping[str, Any]) -> MotoResponse:
    """Serve one of `MFA_CALLS` in the account of `backends` (writable for the calls that change something)."""
    from moto.iam.exceptions import IAMException

    try:
        return HANDLERS[name](backends, identity, params)
    except AwsError as error:
        return iam_error(error.code, error.message, error.status)
    except IAMException as error:  # a check of moto's that ours let through
        return iam_error(error.code, error.message, MOTO_STATUSES.get(error.code, 400))


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _user(backends: AccountBackends, name: str) -> User:
    user = backends.iam.users.get(name)
    if user is None:
        raise NoSuchEntity(NO_SUCH_USER.format(name=name))
    return user


def _device(backends: AccountBackends, serial_number: str) -> VirtualMfaDevice:
    device = backends.iam.virtual_mfa_devices.get(serial_number)
    if device is None:
        raise NoSuchEntity(NO_SUCH_DEVICE.format(serial=serial_number))
    return device


def _user_or_caller(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> User:
    # AWS: with no UserName, the call acts on the calling user (role sessions were refused by the authorization step).
    return _user(backends, _text(params, "UserName") or identity.name)


def _check_name_and_path(name: str, path: str) -> None:
    if not name:
        raise ValidationError(NAME_EMPTY)
    if len(name) > NAME_MAX:
        raise ValidationError(NAME_TOO_LONG.format(value=name))
    if not NAME_PATTERN.fullmatch(name):
        raise ValidationError(NAME_INVALID.format(value=name))
    if len(path) > PATH_MAX:
        raise ValidationError(PATH_TOO_LONG.format(value=path))
    if not PATH_PATTERN.fullmatch(path):
        raise ValidationError(PATH_INVALID.format(value=path))


def create_virtual_mfa_device(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    name, path = _text(params, "VirtualMFADeviceName"), _text(params, "Path") or "/"
    _check_name_and_path(name, path)
    wanted = (path + name).lower()
    # The serial number is `arn:<partition>:iam::<account>:mfa<path><name>`. Best guess: like other IAM names, the
    # path and name are unique regardless of case.
    if any(serial.split(":mfa", 1)[-1].lower() == wanted for serial in backends.iam.virtual_mfa_devices):
        raise EntityAlreadyExists(DEVICE_EXISTS)
    device = backends.iam.create_virtual_mfa_device(name, path)
    device.base32_string_seed = mfa.new_seed()
    png = mfa.qr_code_png(seed=device.base32_string_seed, device_name=name, account_id=backends.account_id)
    fields = (
        f"<SerialNumber>{escape(device.serial_number)}</SerialNumber>"
        f"<Base32StringSeed>{_blob(device.base32_string_seed.encode())}</Base32StringSeed>"
        f"<QRCodePNG>{_blob(png)}</QRCodePNG>"
    )
    return _answer("CreateVirtualMFADevice", f"<VirtualMFADevice>{fields}</VirtualMFADevice>")


def enable_mfa_device(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    user = _user(backends, _text(params, "UserName"))
    serial_number = _text(params, "SerialNumber")
    device = _device(backends, serial_number)
    if device.user is not None or serial_number in user.mfa_devices:
        raise EntityAlreadyExists(DEVICE_IN_USE)
    _check_two_codes(backends, serial_number, device.base32_string_seed, params)
    # moto would keep the two codes on its device object; they are spent, so nothing is kept.
    backends.iam.enable_mfa_device(user.name, serial_number, "", "")
    return iam_ok("EnableMFADevice")


def resync_mfa_device(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    user = _user(backends, _text(params, "UserName"))
    serial_number = _text(params, "SerialNumber")
    device = _device(backends, serial_number)
    if serial_number not in user.mfa_devices:
        raise NoSuchEntity(DEVICE_NOT_USERS)
    _check_two_codes(backends, serial_number, device.base32_string_seed, params)
    return iam_ok("ResyncMFADevice")


def _check_two_codes(backends: AccountBackends, serial_number: str, seed: str, params: Mapping[str, Any]) -> None:
    code1, code2 = _text(params, "AuthenticationCode1"), _text(params, "AuthenticationCode2")
    if not mfa.verify_enable_codes(backends.account_id, serial_number, seed, code1, code2):
        raise mfa.InvalidAuthenticationCode(INVALID_CODES)


def deactivate_mfa_device(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    user = _user_or_caller(backends, identity, params)
    serial_number = _text(params, "SerialNumber")
    if serial_number not in user.mfa_devices:
        _device(backends, serial_number)
        raise NoSuchEntity(DEVICE_NOT_USERS)
    backends.iam.deactivate_mfa_device(user.name, serial_number)
    mfa.forget_code_uses(backends.account_id, serial_number)
    return iam_ok("DeactivateMFADevice")


def delete_virtual_mfa_device(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    serial_number = _text(params, "SerialNumber")
    device = _device(backends, serial_number)
    # AWS: "You must deactivate a user's virtual MFA device before you can delete it" (API_DeleteVirtualMFADevice).
    if device.user is not None:
        raise mfa.DeleteConflict(DEVICE_STILL_ASSIGNED)
    backends.iam.delete_virtual_mfa_device(serial_number)
    mfa.forget_code_uses(backends.account_id, serial_number)
    return iam_ok("DeleteVirtualMFADevice")


def list_mfa_devices(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    user = _user_or_caller(backends, identity, params)
    members = [
        f"<UserName>{escape(user.name)}</UserName><SerialNumber>{escape(serial)}</SerialNumber>"
        f"<EnableDate>{_date(device.enable_date)}</EnableDate>"
        for serial, device in sorted(user.mfa_devices.items())
    ]
    return _answer("ListMFADevices", _page("MFADevices", members, params))


def list_virtual_mfa_devices(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    """Seeds and QR codes are never listed: AWS returns them only once, from CreateVirtualMFADevice."""
    status = _text(params, "AssignmentStatus") or "Any"
    if status not in ASSIGNMENT_STATUSES:
        raise ValidationError(
            f"1 validation error detected: Value '{status}' at 'assignmentStatus' failed to satisfy constraint: "
            "Member must satisfy enum value set: [Assigned, Unassigned, Any]"
        )
    members = []
    for serial, device in sorted(backends.iam.virtual_mfa_devices.items()):
        user = device.user
        if status == "Any" or (user is not None) == (status == "Assigned"):
            assignment = "" if user is None else _assignment(user, device.enable_date)
            members.append(f"<SerialNumber>{escape(serial)}</SerialNumber>{assignment}")
    return _answer("ListVirtualMFADevices", _page("VirtualMFADevices", members, params))


def _assignment(user: User, enable_date: datetime | None) -> str:
    return (
        f"<User><Path>{escape(user.path)}</Path><UserName>{escape(user.name)}</UserName>"
        f"<UserId>{escape(user.id)}</UserId><Arn>{escape(user.arn)}</Arn>"
        f"<CreateDate>{_date(user.create_date)}</CreateDate></User>"
        f"<EnableDate>{_date(enable_date)}</EnableDate>"
    )


def _page(element: str, members: list[str], params: Mapping[str, Any]) -> str:
    marker = _text(params, "Marker")
    start = int(marker) if marker.isdigit() else 0
    size = params.get("MaxItems")
    size = min(size, 1000) if isinstance(size, int) and size > 0 else MAX_ITEMS
    truncated = start + size < len(members)
    listed = "".join(f"<member>{member}</member>" for member in members[start : start + size])
    next_marker = f"<Marker>{start + size}</Marker>" if truncated else ""
    return f"<{element}>{listed}</{element}><IsTruncated>{str(truncated).lower()}</IsTruncated>{next_marker}"


def _answer(action: str, result_xml: str) -> MotoResponse:
    body = (
        f'<{action}Response xmlns="{IAM_NAMESPACE}"><{action}Result>{result_xml}</{action}Result>'
        f"<ResponseMetadata><RequestId>-</RequestId></ResponseMetadata></{action}Response>"
    )
    return MotoResponse(200, {"Content-Type": "text/xml"}, body.encode())


def _blob(data: bytes) -> str:
    """A Query-protocol blob: base64 text."""
    return base64.b64encode(data).decode("ascii")


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else ""


HANDLERS: dict[str, Handler] = {
    "CreateVirtualMFADevice": create_virtual_mfa_device,
    "EnableMFADevice": enable_mfa_device,
    "ResyncMFADevice": resync_mfa_device,
    "DeactivateMFADevice": deactivate_mfa_device,
    "DeleteVirtualMFADevice": delete_virtual_mfa_device,
    "ListMFADevices": list_mfa_devices,
    "ListVirtualMFADevices": list_virtual_mfa_devices,
}
MFA_CALLS: frozenset[str] = frozenset(HANDLERS)
