"""Virtual MFA devices: TOTP checks with replay protection, and the IAM MFA calls through the endpoint with boto3."""
from __future__ import annotations

import threading
import time

import pyotp
import pytest
from botocore.exceptions import ClientError
from django.db import connection

from sandbox import mfa
from sandbox.endpoint import iam_mfa
from sandbox.errors import AccessDenied
from sandbox.models import MfaCodeUse
from sandbox.moto_store import account_reader
from tests.sandbox.conftest import aws_client

pytestmark = pytest.mark.django_db(transaction=True)

STEP = 30
NOW = STEP * 56_666_667 + 7  # a fixed real time, 7 s into its 30-s step
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SERIAL = "arn:aws:iam::{account}:mfa/phone"


def code_at(seed: str, steps_from_now: int) -> str:
    return pyotp.TOTP(seed).at(NOW + steps_from_now * STEP)


@pytest.fixture
def frozen_time(monkeypatch):
    """Real time stands at NOW; `frozen_time(seconds)` moves it."""
    def move(seconds: float) -> None:
        monkeypatch.setattr(mfa, "totp_now", lambda: NOW + seconds)

    move(0)
    return move


@pytest.fixture
def account_id(carol):
    return carol.home_account_id


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


class SeedTests:
    def test_a_new_seed_is_32_base32_characters(self):
        seed = mfa.new_seed()
        assert len(seed) == 32
        assert set(seed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    def test_new_seeds_differ(self):
        assert mfa.new_seed() != mfa.new_seed()

    def test_the_clock_is_real_time(self):
        assert abs(mfa.totp_now() - time.time()) < 5

    def test_the_provisioning_uri_names_the_device_account_and_issuer(self):
        uri = mfa.provisioning_uri(seed=SEED, device_name="phone", account_id="123456789012")
        assert uri.startswith("otpauth://totp/AWS%20training:phone%40123456789012?")
        assert f"secret={SEED}" in uri
        assert "issuer=AWS%20training" in uri

    def test_the_qr_code_is_a_png(self):
        assert mfa.qr_code_png(seed=SEED, device_name="phone", account_id="1").startswith(b"\x89PNG\r\n\x1a\n")


class VerifyCodeTests:
    def test_the_current_code_is_accepted(self, account_id, frozen_time):
        assert mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, 0))

    @pytest.mark.parametrize("steps", [-1, 1])
    def test_one_step_of_clock_drift_is_tolerated(self, account_id, frozen_time, steps):
        assert mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, steps))

    @pytest.mark.parametrize("steps", [-2, 2])
    def test_a_code_two_steps_away_is_refused(self, account_id, frozen_time, steps):
        assert not mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, steps))

    def test_a_code_of_another_seed_is_refused(self, account_id, frozen_time):
        assert not mfa.verify_code(account_id, SERIAL, SEED, code_at(mfa.new_seed(), 0))

    @pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
    def test_a_malformed_code_is_refused(self, account_id, frozen_time, code):
        assert not mfa.verify_code(account_id, SERIAL, SEED, code)

    def test_a_code_cannot_be_used_twice(self, account_id, frozen_time):
        code = code_at(SEED, 0)
        assert mfa.verify_code(account_id, SERIAL, SEED, code)
        frozen_time(20)  # still inside the code's window
        assert not mfa.verify_code(account_id, SERIAL, SEED, code)

    def test_an_earlier_code_is_refused_after_a_later_one(self, account_id, frozen_time):
        assert mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, 0))
        assert not mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, -1))

    def test_the_next_code_is_accepted_once_its_step_comes(self, account_id, frozen_time):
        assert mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, 0))
        frozen_time(STEP)
        assert mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, 1))

    def test_the_last_used_step_is_stored_per_device(self, account_id, frozen_time):
        mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, 0))
        use = MfaCodeUse.objects.get(account__account_id=account_id, serial_number=SERIAL)
        assert use.last_counter == NOW // STEP
        assert mfa.verify_code(account_id, SERIAL + "2", SEED, code_at(SEED, 0))

    def test_two_concurrent_uses_of_one_code_cannot_both_pass(self, account_id, frozen_time):
        code, results, start = code_at(SEED, 0), [], threading.Barrier(4)

        def use() -> None:
            start.wait()
            try:
                results.append(mfa.verify_code(account_id, SERIAL, SEED, code))
            finally:
                connection.close()

        threads = [threading.Thread(target=use) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False, False, False, True]


class VerifyEnableCodesTests:
    def test_two_consecutive_codes_ending_now_are_accepted(self, account_id, frozen_time):
        assert mfa.verify_enable_codes(account_id, SERIAL, SEED, code_at(SEED, -1), code_at(SEED, 0))

    def test_two_consecutive_codes_ending_one_step_either_side_are_accepted(self, account_id, frozen_time):
        assert mfa.verify_enable_codes(account_id, SERIAL, SEED, code_at(SEED, -2), code_at(SEED, -1))
        assert mfa.verify_enable_codes(account_id, SERIAL + "2", SEED, code_at(SEED, 0), code_at(SEED, 1))

    def test_codes_ending_two_steps_ago_are_refused(self, account_id, frozen_time):
        assert not mfa.verify_enable_codes(account_id, SERIAL, SEED, code_at(SEED, -3), code_at(SEED, -2))

    @pytest.mark.parametrize(("first", "second"), [(0, 0), (0, -1), (-1, 1)])
    def test_codes_that_are_not_consecutive_are_refused(self, account_id, frozen_time, first, second):
        assert not mfa.verify_enable_codes(account_id, SERIAL, SEED, code_at(SEED, first), code_at(SEED, second))

    def test_the_second_code_is_recorded_as_used(self, account_id, frozen_time):
        assert mfa.verify_enable_codes(account_id, SERIAL, SEED, code_at(SEED, -1), code_at(SEED, 0))
        assert not mfa.verify_code(account_id, SERIAL, SEED, code_at(SEED, 0))
        assert MfaCodeUse.objects.get(serial_number=SERIAL).last_counter == NOW // STEP

    def test_codes_already_used_cannot_enable_again(self, account_id, frozen_time):
        codes = code_at(SEED, -1), code_at(SEED, 0)
        assert mfa.verify_enable_codes(account_id, SERIAL, SEED, *codes)
        assert not mfa.verify_enable_codes(account_id, SERIAL, SEED, *codes)


# Through the endpoint, with real boto3 clients.


@pytest.fixture
def iam(live_server, carol):
    return aws_client(live_server, "iam", carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def user_name(carol):
    return carol.iam_user_arn.rsplit("/", 1)[-1]


@pytest.fixture
def device(iam, frozen_time):
    """A new virtual MFA device `phone`: its serial number and the seed read from CreateVirtualMFADevice."""
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
    return created["SerialNumber"], created["Base32StringSeed"].decode("ascii")


def enable(iam, user_name, device, first_step=-1):
    serial, seed = device
    iam.enable_mfa_device(
        UserName=user_name, SerialNumber=serial,
        AuthenticationCode1=code_at(seed, first_step), AuthenticationCode2=code_at(seed, first_step + 1),
    )


def check(carol, user_name, serial, code):
    with account_reader(carol.home_account_id) as backends:
        mfa.check_mfa_for_user(backends, carol.home_account_id, user_name, serial, code)


class CreateVirtualMfaDeviceTests:
    def test_the_serial_number_is_the_devices_arn(self, device, carol):
        assert device[0] == f"arn:aws:iam::{carol.home_account_id}:mfa/phone"

    def test_a_path_is_part_of_the_serial_number(self, iam, carol):
        created = iam.create_virtual_mfa_device(VirtualMFADeviceName="tablet", Path="/team/")["VirtualMFADevice"]
        assert created["SerialNumber"] == f"arn:aws:iam::{carol.home_account_id}:mfa/team/tablet"

    def test_the_seed_is_a_fresh_base32_seed_kept_in_the_account(self, device, carol):
        serial, seed = device
        assert len(seed) == 32
        with account_reader(carol.home_account_id) as backends:
            assert mfa.device_seed(backends, serial) == seed

    def test_the_qr_code_is_a_png_of_the_provisioning_uri(self, iam, carol):
        created = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
        seed = created["Base32StringSeed"].decode("ascii")
        expected = mfa.qr_code_png(seed=seed, device_name="phone", account_id=carol.home_account_id)
        assert created["QRCodePNG"] == expected

    def test_each_device_gets_its_own_seed(self, iam, device):
        other = iam.create_virtual_mfa_device(VirtualMFADeviceName="tablet")["VirtualMFADevice"]
        assert other["Base32StringSeed"].decode("ascii") != device[1]

    @pytest.mark.parametrize("name", ["phone", "PHONE"])
    def test_a_name_already_taken_is_entity_already_exists(self, iam, device, name):
        with pytest.raises(ClientError) as raised:
            iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
        assert _error(raised) == ("EntityAlreadyExists", iam_mfa.DEVICE_EXISTS, 409)

    @pytest.mark.parametrize(("name", "message"), [
        ("my phone", iam_mfa.NAME_INVALID.format(value="my phone")),
        ("x" * 227, iam_mfa.NAME_TOO_LONG.format(value="x" * 227)),
    ])
    def test_an_invalid_name_is_a_validation_error(self, iam, name, message):
        with pytest.raises(ClientError) as raised:
            iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
        assert _error(raised) == ("ValidationError", message, 400)

    def test_an_invalid_path_is_a_validation_error(self, iam):
        with pytest.raises(ClientError) as raised:
            iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path="team")
        assert _error(raised)[0] == "ValidationError"


class EnableMfaDeviceTests:
    def test_two_consecutive_codes_enable_the_device_for_the_user(self, iam, user_name, device):
        enable(iam, user_name, device)
        listed = iam.list_mfa_devices(UserName=user_name)["MFADevices"]
        assert [(entry["UserName"], entry["SerialNumber"]) for entry in listed] == [(user_name, device[0])]

    def test_without_a_user_name_the_callers_devices_are_listed(self, iam, user_name, device):
        enable(iam, user_name, device)
        assert [entry["SerialNumber"] for entry in iam.list_mfa_devices()["MFADevices"]] == [device[0]]

    @pytest.mark.parametrize(("first", "second"), [(-1, 1), (0, 0), (-3, -2)])
    def test_wrong_codes_are_invalid_authentication_code(self, iam, user_name, device, first, second):
        serial, seed = device
        with pytest.raises(ClientError) as raised:
            iam.enable_mfa_device(
                UserName=user_name, SerialNumber=serial,
                AuthenticationCode1=code_at(seed, first), AuthenticationCode2=code_at(seed, second),
            )
        assert _error(raised) == ("InvalidAuthenticationCode", iam_mfa.INVALID_CODES, 403)
        assert iam.list_mfa_devices(UserName=user_name)["MFADevices"] == []

    def test_codes_of_another_device_are_refused(self, iam, user_name, device):
        with pytest.raises(ClientError) as raised:
            enable(iam, user_name, (device[0], mfa.new_seed()))
        assert _error(raised)[0] == "InvalidAuthenticationCode"

    def test_an_unknown_user_is_no_such_entity(self, iam, device):
        with pytest.raises(ClientError) as raised:
            enable(iam, "nobody", device)
        assert _error(raised) == ("NoSuchEntity", "The user with name nobody cannot be found.", 404)

    def test_an_unknown_device_is_no_such_entity(self, iam, user_name, device, carol):
        serial = f"arn:aws:iam::{carol.home_account_id}:mfa/nothing"
        with pytest.raises(ClientError) as raised:
            enable(iam, user_name, (serial, device[1]))
        assert _error(raised)[0] == "NoSuchEntity"

    def test_a_device_in_use_cannot_be_enabled_for_another_user(self, iam, user_name, device, frozen_time):
        enable(iam, user_name, device)
        iam.create_user(UserName="dave")
        frozen_time(2 * STEP)
        with pytest.raises(ClientError) as raised:
            enable(iam, "dave", device, first_step=1)
        assert _error(raised) == ("EntityAlreadyExists", iam_mfa.DEVICE_IN_USE, 409)

    def test_the_codes_are_not_kept_in_the_account_state(self, iam, user_name, device, carol):
        enable(iam, user_name, device)
        with account_reader(carol.home_account_id) as backends:
            kept = backends.iam.get_user(user_name).mfa_devices[device[0]]
        assert (kept.authentication_code_1, kept.authentication_code_2) == ("", "")

    def test_resync_takes_two_new_consecutive_codes(self, iam, user_name, device, frozen_time):
        enable(iam, user_name, device)
        serial, seed = device
        frozen_time(2 * STEP)
        iam.resync_mfa_device(
            UserName=user_name, SerialNumber=serial,
            AuthenticationCode1=code_at(seed, 1), AuthenticationCode2=code_at(seed, 2),
        )
        with pytest.raises(ClientError) as raised:
            iam.resync_mfa_device(
                UserName=user_name, SerialNumber=serial,
                AuthenticationCode1=code_at(seed, 1), AuthenticationCode2=code_at(seed, 2),
            )
        assert _error(raised)[0] == "InvalidAuthenticationCode"


class ListVirtualMfaDevicesTests:
    def test_assigned_devices_name_their_user_and_no_seed_is_listed(self, iam, user_name, device):
        iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")
        enable(iam, user_name, device)
        listed = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
        assert [entry["SerialNumber"].rsplit("/", 1)[-1] for entry in listed] == ["phone", "spare"]
        assert listed[0]["User"]["UserName"] == user_name
        assert "EnableDate" in listed[0]
        assert not any("Base32StringSeed" in entry or "QRCodePNG" in entry for entry in listed)

    @pytest.mark.parametrize(("status", "names"), [("Assigned", ["phone"]), ("Unassigned", ["spare"])])
    def test_the_assignment_status_filters(self, iam, user_name, device, status, names):
        iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")
        enable(iam, user_name, device)
        listed = iam.list_virtual_mfa_devices(AssignmentStatus=status)["VirtualMFADevices"]
        assert [entry["SerialNumber"].rsplit("/", 1)[-1] for entry in listed] == names

    def test_pages_follow_the_marker(self, iam, device):
        iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")
        first = iam.list_virtual_mfa_devices(MaxItems=1)
        assert first["IsTruncated"]
        second = iam.list_virtual_mfa_devices(MaxItems=1, Marker=first["Marker"])
        assert [page["VirtualMFADevices"][0]["SerialNumber"][-5:] for page in (first, second)] == ["phone", "spare"]
        assert not second["IsTruncated"]


class StsMfaCheckTests:
    def test_a_fresh_code_of_the_users_device_passes(self, iam, user_name, device, carol, frozen_time):
        enable(iam, user_name, device)
        frozen_time(STEP)
        check(carol, user_name, device[0], code_at(device[1], 1))

    def test_a_code_already_used_to_enable_is_refused(self, iam, user_name, device, carol):
        enable(iam, user_name, device)
        with pytest.raises(AccessDenied) as raised:
            check(carol, user_name, device[0], code_at(device[1], 0))
        assert raised.value.message == mfa.INVALID_CODE

    def test_a_replayed_code_is_refused(self, iam, user_name, device, carol, frozen_time):
        enable(iam, user_name, device)
        frozen_time(STEP)
        check(carol, user_name, device[0], code_at(device[1], 1))
        with pytest.raises(AccessDenied) as raised:
            check(carol, user_name, device[0], code_at(device[1], 1))
        assert raised.value.message == mfa.INVALID_CODE

    def test_a_wrong_code_is_refused(self, iam, user_name, device, carol, frozen_time):
        enable(iam, user_name, device)
        frozen_time(STEP)
        with pytest.raises(AccessDenied) as raised:
            check(carol, user_name, device[0], code_at(mfa.new_seed(), 1))
        assert (raised.value.code, raised.value.message) == ("AccessDenied", mfa.INVALID_CODE)

    def test_a_device_not_enabled_is_refused_as_unknown(self, user_name, device, carol):
        with pytest.raises(AccessDenied) as raised:
            check(carol, user_name, device[0], code_at(device[1], 0))
        assert raised.value.message == mfa.UNKNOWN_DEVICE

    def test_another_users_device_is_refused_as_unknown(self, iam, user_name, device, carol, frozen_time):
        enable(iam, user_name, device)
        iam.create_user(UserName="dave")
        frozen_time(STEP)
        with pytest.raises(AccessDenied) as raised:
            check(carol, "dave", device[0], code_at(device[1], 1))
        assert raised.value.message == mfa.UNKNOWN_DEVICE

    def test_an_unknown_serial_number_is_refused_as_unknown(self, user_name, carol, frozen_time):
        with pytest.raises(AccessDenied) as raised:
            check(carol, user_name, SERIAL.format(account=carol.home_account_id), code_at(SEED, 0))
        assert raised.value.message == mfa.UNKNOWN_DEVICE


class DeactivateAndDeleteTests:
    def test_a_device_in_use_cannot_be_deleted(self, iam, user_name, device):
        enable(iam, user_name, device)
        with pytest.raises(ClientError) as raised:
            iam.delete_virtual_mfa_device(SerialNumber=device[0])
        assert _error(raised) == ("DeleteConflict", iam_mfa.DEVICE_STILL_ASSIGNED, 409)

    def test_deactivate_then_delete(self, iam, user_name, device):
        enable(iam, user_name, device)
        iam.deactivate_mfa_device(UserName=user_name, SerialNumber=device[0])
        assert iam.list_mfa_devices(UserName=user_name)["MFADevices"] == []
        assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"][0]["SerialNumber"] \
            == device[0]
        iam.delete_virtual_mfa_device(SerialNumber=device[0])
        assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []

    def test_deactivating_forgets_the_used_codes(self, iam, user_name, device):
        enable(iam, user_name, device)
        assert MfaCodeUse.objects.filter(serial_number=device[0]).exists()
        iam.deactivate_mfa_device(UserName=user_name, SerialNumber=device[0])
        assert not MfaCodeUse.objects.filter(serial_number=device[0]).exists()

    def test_a_deactivated_device_no_longer_passes_the_sts_check(self, iam, user_name, device, carol, frozen_time):
        enable(iam, user_name, device)
        iam.deactivate_mfa_device(SerialNumber=device[0])  # no UserName: the caller's own device
        frozen_time(STEP)
        with pytest.raises(AccessDenied) as raised:
            check(carol, user_name, device[0], code_at(device[1], 1))
        assert raised.value.message == mfa.UNKNOWN_DEVICE

    def test_deactivating_a_device_of_no_one_is_no_such_entity(self, iam, user_name, device):
        with pytest.raises(ClientError) as raised:
            iam.deactivate_mfa_device(UserName=user_name, SerialNumber=device[0])
        assert _error(raised) == ("NoSuchEntity", iam_mfa.DEVICE_NOT_USERS, 404)

    def test_deleting_an_unknown_device_is_no_such_entity(self, iam, carol):
        serial = SERIAL.format(account=carol.home_account_id)
        with pytest.raises(ClientError) as raised:
            iam.delete_virtual_mfa_device(SerialNumber=serial)
        assert _error(raised) == ("NoSuchEntity", iam_mfa.NO_SUCH_DEVICE.format(serial=serial), 404)

    def test_a_refused_call_changes_nothing(self, iam, user_name, device, carol):
        with pytest.raises(ClientError):
            enable(iam, user_name, (device[0], mfa.new_seed()))
        with account_reader(carol.home_account_id) as backends:
            assert backends.iam.virtual_mfa_devices[device[0]].user is None
        assert not MfaCodeUse.objects.filter(serial_number=device[0]).exists()
