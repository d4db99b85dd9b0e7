"""Virtual MFA devices: seeds, TOTP codes (RFC 6238, through pyotp) checked against real time, replays refused.

Authenticator apps count time steps from the real clock, so every check reads `totp_now()` (real Unix time), never
the sandbox's teaching clock. The last time step accepted for each device is kept in `MfaCodeUse`, so a code
cannot be used twice: AWS refuses a reused code within its window too.
"""
from __future__ import annotations

import io
import re
import time
from collections.abc import Sequence

import pyotp
import segno
from django.db import transaction
from pyotp.utils import strings_equal

from sandbox.errors import AccessDenied, AwsError
from sandbox.models import Account, MfaCodeUse
from sandbox.moto_store import AccountBackends

ISSUER = "AWS training"
CODE_PATTERN = re.compile(r"[0-9]{6}", re.ASCII)
# AWS tolerates small clock drift: one 30-second step either side of now.
DRIFT_STEPS = 1
# Texts of STS's AccessDenied answers, as AWS writes them (two spaces after "code."; a trailing space after "code.").
UNKNOWN_DEVICE = (
    "MultiFactorAuthentication failed, unable to validate MFA code.  "
    "Please verify your MFA serial number is valid and associated with this user."
)
INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "


class InvalidAuthenticationCode(AwsError):
    """IAM refuses the codes given to enable or resync an MFA device."""

    code = "InvalidAuthenticationCode"
    status = 403


class DeleteConflict(AwsError):
    code = "DeleteConflict"
    status = 409


def totp_now() -> float:
    """Real Unix time: the only clock TOTP checks read (tests replace this function)."""
    return time.time()


def new_seed() -> str:
    """A fresh 32-character base32 seed (160 bits from the system's cryptographic random source)."""
    return pyotp.random_base32()


def device_seed(backends: AccountBackends, serial_number: str) -> str | None:
    """The seed of a virtual MFA device in the account's state, or None when there is no such device."""
    device = backends.iam.virtual_mfa_devices.get(serial_number)
    return None if device is None else str(device.base32_string_seed)


def provisioning_uri(*, seed: str, device_name: str, account_id: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(seed).provisioning_uri(name=f"{device_name}@{account_id}", issuer_name=ISSUER)


def qr_code_png(*, seed: str, device_name: str, account_id: str) -> bytes:
    """A PNG image of the QR code of the device's provisioning URI."""
    buffer = io.BytesIO()
    uri = provisioning_uri(seed=seed, device_name=device_name, account_id=account_id)
    segno.make_qr(uri, error="m").save(buffer, kind="png", scale=4)
    return buffer.getvalue()


def _current_step(totp: pyotp.TOTP) -> int:
    return totp.timecode(totp_now())


def _matches(totp: pyotp.TOTP, code: str, step: int) -> bool:
    return bool(CODE_PATTERN.fullmatch(code)) and strings_equal(code, totp.generate_otp(step))


def verify_code(account_id: str, serial_number: str, seed: str, code: str) -> bool:
    """True when `code` is the device's code for now (one step of drift allowed) and no later code was used yet."""
    totp = pyotp.TOTP(seed)
    now = _current_step(totp)
    steps = [step for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1) if _matches(totp, code, step)]
    return bool(steps) and _record_use(account_id, serial_number, first=max(steps), last=max(steps))


def verify_enable_codes(account_id: str, serial_number: str, seed: str, code1: str, code2: str) -> bool:
    """True when `code1` and `code2` are the device's codes for two consecutive steps, the second one near now.

    # AWS: EnableMFADevice and ResyncMFADevice take two consecutive codes (API_EnableMFADevice.html).
    """
    totp = pyotp.TOTP(seed)
    now = _current_step(totp)
    starts = [
        step for step in range(now - DRIFT_STEPS - 1, now + DRIFT_STEPS)
        if _matches(totp, code1, step) and _matches(totp, code2, step + 1)
    ]
    return bool(starts) and _record_use(account_id, serial_number, first=max(starts), last=max(starts) + 1)


def _record_use(account_id: str, serial_number: str, *, first: int, last: int) -> bool:
    """Record steps `first`..`last` as used, unless one of them (or a later one) already was: False then.

    # INVARIANT: a step is accepted at most once per device. The row is locked (select_for_update) and the update
    is a compare-and-set on `last_counter`, so two concurrent uses of one code cannot both pass on any database.
    """
    with transaction.atomic():
        account = Account.objects.get(account_id=account_id)
        use, _created = MfaCodeUse.objects.select_for_update().get_or_create(
            account=account, serial_number=serial_number, defaults={"last_counter": -1}
        )
        if use.last_counter >= first:
            return False
        updated = MfaCodeUse.objects.filter(pk=use.pk, last_counter__lt=first).update(last_counter=last)
        return updated == 1


def forget_code_uses(account_id: str, serial_number: str) -> None:
    """Forget the steps used by a device (when it is deactivated or deleted)."""
    MfaCodeUse.objects.filter(account__account_id=account_id, serial_number=serial_number).delete()


def enabled_devices(backends: AccountBackends, user_name: str) -> Sequence[str]:
    """The serial numbers of the MFA devices enabled for a user (none when the user does not exist)."""
    user = backends.iam.users.get(user_name)
    return () if user is None else tuple(user.mfa_devices)


def check_mfa_for_user(
    backends: AccountBackends, account_id: str, user_name: str, serial_number: str, code: str
) -> None:
    """STS's MFA check (AssumeRole, GetSessionToken with SerialNumber and TokenCode): raise AccessDenied as AWS does.

    The serial number must name a virtual MFA device enabled for this user; the code must be current and unused.
    """
    seed = device_seed(backends, serial_number)
    if seed is None or serial_number not in enabled_devices(backends, user_name):
        raise AccessDenied(UNKNOWN_DEVICE)
    if not verify_code(account_id, serial_number, seed, code):
        raise AccessDenied(INVALID_CODE)
