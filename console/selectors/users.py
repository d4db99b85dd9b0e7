"""IAM user reads for the console (IAM > Users), made with IAM calls as the signed-in identity."""
from __future__ import annotations

import base64
import math
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from console.selectors.policies import document_text
from sandbox import events, mfa
from sandbox.api import iam_call
from sandbox.errors import AwsError
from sandbox.identity import Identity
from sandbox.managed_policies import is_aws_managed_arn
from sandbox.moto_store import account_reader

PAGE_SIZE = 20
UserTab = Literal["permissions", "groups", "security"]
USER_TABS: tuple[UserTab, ...] = ("permissions", "groups", "security")


@dataclass(frozen=True, slots=True)
class AccessKeyRow:
    access_key_id: str
    status: str
    created: datetime | None

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def age_days(self) -> int | None:
        return _days_since(self.created)


@dataclass(frozen=True, slots=True)
class MfaDeviceRow:
    serial_number: str
    enabled: datetime | None

    @property
    def device_name(self) -> str:
        return self.serial_number.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class UserRow:
    """One line of the user table."""

    name: str
    arn: str
    created: datetime | None
    groups: int
    mfa: bool
    active_key_age_days: int | None
    last_activity: datetime | None


@dataclass(frozen=True, slots=True)
class UserPage:
    rows: tuple[UserRow, ...]
    total: int
    page: int
    pages: int
    query: str

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def previous_query(self) -> str:
        return urllib.parse.urlencode({"q": self.query, "page": self.previous_page or 1})

    @property
    def next_query(self) -> str:
        return urllib.parse.urlencode({"q": self.query, "page": self.next_page or 1})


@dataclass(frozen=True, slots=True)
class AttachedPolicyRow:
    name: str
    arn: str

    @property
    def aws_managed(self) -> bool:
        return is_aws_managed_arn(self.arn)


@dataclass(frozen=True, slots=True)
class InlinePolicyRow:
    name: str
    document: str


@dataclass(frozen=True, slots=True)
class LoginProfile:
    created: datetime | None
    password_reset_required: bool


@dataclass(frozen=True, slots=True)
class UserDetail:
    """The user page: summary (always) and the open tab's content."""

    name: str
    arn: str
    path: str
    created: datetime | None
    tab: UserTab
    login_profile: LoginProfile | None
    access_keys: tuple[AccessKeyRow, ...]
    mfa_devices: tuple[MfaDeviceRow, ...]
    last_activity: datetime | None
    attached_policies: tuple[AttachedPolicyRow, ...] = ()
    inline_policies: tuple[InlinePolicyRow, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PendingMfaDevice:
    """A virtual device created for the user but not enabled yet: its QR code and seed, read back to finish setup."""

    serial_number: str
    device_name: str
    seed: str
    qr_png_base64: str


def _days_since(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max(0, (datetime.now(UTC) - aware).days)


def _all_users(identity: Identity) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    params: dict[str, Any] = {"MaxItems": 1000}
    while True:
        answer = iam_call(identity, "ListUsers", params)
        users.extend(answer.get("Users", []))
        if not answer.get("IsTruncated") or not answer.get("Marker"):
            return users
        params = {**params, "Marker": answer["Marker"]}


def last_activity(*, account_id: str, user_name: str) -> datetime | None:
    """When the user last made a call in the account, from the event history (None when never)."""
    found = events.event_search(account_id=account_id, username=user_name, limit=1)
    return found[0].event_time if found else None


def _access_keys(identity: Identity, user_name: str) -> tuple[AccessKeyRow, ...]:
    answer = iam_call(identity, "ListAccessKeys", {"UserName": user_name})
    return tuple(
        AccessKeyRow(access_key_id=str(key["AccessKeyId"]), status=str(key.get("Status", "")),
                     created=key.get("CreateDate"))
        for key in answer.get("AccessKeyMetadata", [])
    )


def _mfa_devices(identity: Identity, user_name: str) -> tuple[MfaDeviceRow, ...]:
    answer = iam_call(identity, "ListMFADevices", {"UserName": user_name})
    return tuple(
        MfaDeviceRow(serial_number=str(device["SerialNumber"]), enabled=device.get("EnableDate"))
        for device in answer.get("MFADevices", [])
    )


def _groups(identity: Identity, user_name: str) -> tuple[str, ...]:
    answer = iam_call(identity, "ListGroupsForUser", {"UserName": user_name})
    return tuple(str(group["GroupName"]) for group in answer.get("Groups", []))


def _row(identity: Identity, user: dict[str, Any]) -> UserRow:
    name = str(user["UserName"])
    active = [key for key in _access_keys(identity, name) if key.active and key.created is not None]
    oldest = min(active, key=lambda key: key.created or datetime.max.replace(tzinfo=UTC)) if active else None
    return UserRow(
        name=name, arn=str(user.get("Arn", "")), created=user.get("CreateDate"),
        groups=len(_groups(identity, name)), mfa=bool(_mfa_devices(identity, name)),
        active_key_age_days=oldest.age_days if oldest else None,
        last_activity=last_activity(account_id=identity.account_id, user_name=name),
    )


def user_list(*, identity: Identity, query: str = "", page: int = 1) -> UserPage:
    """The account's users searched by name; the calls per user (groups, keys, MFA) only for the page shown."""
    needle = query.strip().lower()
    users = sorted(
        (user for user in _all_users(identity) if not needle or needle in str(user["UserName"]).lower()),
        key=lambda user: str(user["UserName"]).lower(),
    )
    pages = max(1, math.ceil(len(users) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = tuple(_row(identity, user) for user in users[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return UserPage(rows=rows, total=len(users), page=page, pages=pages, query=query)


def _login_profile(identity: Identity, user_name: str) -> LoginProfile | None:
    try:
        profile = iam_call(identity, "GetLoginProfile", {"UserName": user_name})["LoginProfile"]
    except AwsError as error:
        if error.code == "NoSuchEntity":
            return None
        raise
    return LoginProfile(created=profile.get("CreateDate"),
                        password_reset_required=bool(profile.get("PasswordResetRequired")))


def _permissions(identity: Identity, user_name: str) -> dict[str, Any]:
    attached = iam_call(identity, "ListAttachedUserPolicies", {"UserName": user_name}).get("AttachedPolicies", [])
    names = iam_call(identity, "ListUserPolicies", {"UserName": user_name}).get("PolicyNames", [])
    inline = []
    for name in names:
        answer = iam_call(identity, "GetUserPolicy", {"UserName": user_name, "PolicyName": name})
        inline.append(InlinePolicyRow(name=str(name), document=document_text(answer.get("PolicyDocument", ""))))
    return {
        "attached_policies": tuple(AttachedPolicyRow(name=str(p["PolicyName"]), arn=str(p["PolicyArn"]))
                                   for p in attached),
        "inline_policies": tuple(inline),
    }


def user_detail(*, identity: Identity, user_name: str, tab: UserTab = "permissions") -> UserDetail:
    """GetUser (NoSuchEntity when the account has no such user), the summary's credentials, and the tab's data."""
    user = iam_call(identity, "GetUser", {"UserName": user_name})["User"]
    extra: dict[str, Any] = {}
    if tab == "permissions":
        extra = _permissions(identity, user_name)
    elif tab == "groups":
        extra = {"groups": _groups(identity, user_name)}
    return UserDetail(
        name=str(user["UserName"]), arn=str(user.get("Arn", "")), path=str(user.get("Path", "/")),
        created=user.get("CreateDate"), tab=tab, login_profile=_login_profile(identity, user_name),
        access_keys=_access_keys(identity, user_name), mfa_devices=_mfa_devices(identity, user_name),
        last_activity=last_activity(account_id=identity.account_id, user_name=user_name), **extra,
    )


def access_key_get(*, identity: Identity, user_name: str, access_key_id: str) -> AccessKeyRow | None:
    """One of the user's access keys (never its secret: IAM does not give it back), or None."""
    return next((key for key in _access_keys(identity, user_name) if key.access_key_id == access_key_id), None)


def mfa_pending_device(*, identity: Identity, user_name: str, serial_number: str) -> PendingMfaDevice | None:
    """The device being set up for `user_name`, with its seed read back from the sandbox, while it is not enabled.

    The console keeps only the serial number between requests; the seed is read here, only to show the QR code
    again while the learner is still entering codes (None once the device is enabled or gone).
    """
    with account_reader(identity.account_id) as backends:
        seed = mfa.device_seed(backends, serial_number)
        if seed is None or serial_number in mfa.enabled_devices(backends, user_name):
            return None
    device_name = serial_number.rsplit("/", 1)[-1]
    png = mfa.qr_code_png(seed=seed, device_name=device_name, account_id=identity.account_id)
    return PendingMfaDevice(serial_number=serial_number, device_name=device_name, seed=seed,
                            qr_png_base64=base64.b64encode(png).decode("ascii"))
