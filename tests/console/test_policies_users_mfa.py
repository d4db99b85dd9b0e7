"""Assign a virtual MFA device in the console: QR code and seed, two consecutive codes, errors, cancel, remove."""
from __future__ import annotations

import base64
import re

import pyotp
import pytest
from django.urls import reverse

from console.views.users import MFA_PENDING
from sandbox import mfa
from sandbox.api import iam_call
from tests.console.policies_users_helpers import HTMX, create_user, identity_of, page

pytestmark = pytest.mark.django_db

STEP = 30
NOW = STEP * 56_666_667 + 7  # a fixed real time, 7 s into its 30-s step


@pytest.fixture
def frozen_time(monkeypatch):
    monkeypatch.setattr(mfa, "totp_now", lambda: NOW)


def _assign(client, name="bob", device="bob-phone"):
    return client.post(reverse("console:user-mfa-assign", args=[name]), {"device_name": device})


def _seed(text: str) -> str:
    match = re.search(r'data-testid="mfa-seed">([A-Z2-7]+)<', text)
    assert match, "no seed on the page"
    return match.group(1)


def _codes(seed: str) -> dict[str, str]:
    totp = pyotp.TOTP(seed)
    return {"code1": totp.at(NOW - STEP), "code2": totp.at(NOW)}


def _enable(client, data, name="bob", headers=None):
    return client.post(reverse("console:user-mfa-enable", args=[name]), data, headers=headers or {})


def _devices(user, name="bob"):
    return iam_call(identity_of(user), "ListMFADevices", {"UserName": name})["MFADevices"]


@pytest.fixture
def bob(student):
    create_user(student, "bob")
    return "bob"


class MfaAssignTests:
    def test_name_form(self, bob, student_client):
        text = page(student_client.get(reverse("console:user-mfa-assign", args=[bob])))
        assert "Device name" in text

    def test_shows_the_qr_code_image_and_the_seed(self, bob, student_client):
        text = page(_assign(student_client))
        match = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
        assert match
        assert base64.b64decode(match.group(1)).startswith(b"\x89PNG")
        assert len(_seed(text)) == 32
        assert "Show secret key" in text

    def test_the_session_keeps_the_serial_never_the_seed(self, bob, student, student_client):
        seed = _seed(page(_assign(student_client)))
        state = student_client.session[MFA_PENDING]
        assert state["serial_number"] == f"arn:aws:iam::{identity_of(student).account_id}:mfa/bob-phone"
        assert seed not in str(dict(student_client.session))

    @pytest.mark.parametrize("name", ["my phone", "x" * 129, ""])
    def test_bad_device_names_are_refused(self, bob, student_client, name):
        response = _assign(student_client, device=name)
        assert response.status_code == 200
        assert 'class="field-error"' in page(response)

    def test_a_taken_device_name_shows_iams_answer(self, bob, student, student_client):
        iam_call(identity_of(student), "CreateVirtualMFADevice", {"VirtualMFADeviceName": "bob-phone"})
        assert "EntityAlreadyExists" in page(_assign(student_client))

    def test_sending_the_name_twice_goes_back_to_the_set_up(self, bob, student_client):
        _assign(student_client)
        response = _assign(student_client)
        assert response["Location"] == reverse("console:user-mfa-enable", args=["bob"])

    def test_unknown_user_is_404(self, student_client):
        assert _assign(student_client, name="nobody").status_code == 404


class MfaEnableTests:
    def test_two_consecutive_codes_enable_the_device(self, bob, student, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        response = _enable(student_client, _codes(seed))
        assert response["Location"] == reverse("console:user-detail", args=["bob"]) + "?tab=security"
        assert [d["SerialNumber"] for d in _devices(student)] == [
            f"arn:aws:iam::{identity_of(student).account_id}:mfa/bob-phone"]
        assert MFA_PENDING not in student_client.session

    def test_htmx_success_answers_with_hx_redirect(self, bob, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        response = _enable(student_client, _codes(seed), headers=HTMX)
        assert response["HX-Redirect"] == reverse("console:user-detail", args=["bob"]) + "?tab=security"

    def test_wrong_codes_show_invalid_authentication_code(self, bob, student, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        codes = _codes(seed)
        text = page(_enable(student_client, {"code1": codes["code2"], "code2": codes["code1"]}))
        assert "InvalidAuthenticationCode" in text
        assert _devices(student) == []

    def test_htmx_error_swaps_only_the_form_without_the_seed(self, bob, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        text = page(_enable(student_client, {"code1": "000000", "code2": "000000"}, headers=HTMX))
        assert text.strip().startswith('<form id="mfa-enable-form"')
        assert "InvalidAuthenticationCode" in text
        assert seed not in text

    def test_full_page_error_reads_the_qr_code_back(self, bob, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        text = page(_enable(student_client, {"code1": "000000", "code2": "000000"}))
        assert _seed(text) == seed
        assert 'src="data:image/png;base64,' in text

    def test_codes_must_be_six_digits(self, bob, student_client):
        _assign(student_client)
        text = page(_enable(student_client, {"code1": "12ab56", "code2": "1234567"}, headers=HTMX))
        assert text.count('class="field has-error"') == 2

    def test_reload_of_the_set_up_page_shows_the_same_device(self, bob, student_client):
        seed = _seed(page(_assign(student_client)))
        assert _seed(page(student_client.get(reverse("console:user-mfa-enable", args=["bob"])))) == seed

    def test_without_a_device_being_set_up_goes_to_the_name_form(self, bob, student_client):
        response = student_client.get(reverse("console:user-mfa-enable", args=["bob"]))
        assert response["Location"] == reverse("console:user-mfa-assign", args=["bob"])

    def test_the_pending_device_is_for_one_user_only(self, bob, student, student_client):
        create_user(student, "carol")
        _assign(student_client)
        response = student_client.get(reverse("console:user-mfa-enable", args=["carol"]))
        assert response["Location"] == reverse("console:user-mfa-assign", args=["carol"])

    def test_an_enabled_device_is_no_longer_shown(self, bob, student, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        serial = student_client.session[MFA_PENDING]["serial_number"]
        iam_call(identity_of(student), "EnableMFADevice", {"UserName": "bob", "SerialNumber": serial,
                                                           **dict(zip(("AuthenticationCode1", "AuthenticationCode2"),
                                                                      _codes(seed).values(), strict=True))})
        response = student_client.get(reverse("console:user-mfa-enable", args=["bob"]))
        assert response["Location"] == reverse("console:user-mfa-assign", args=["bob"])


class MfaCancelAndRemoveTests:
    def test_cancel_deletes_the_device_that_was_never_enabled(self, bob, student, student_client):
        _assign(student_client)
        student_client.post(reverse("console:user-mfa-cancel", args=["bob"]))
        devices = iam_call(identity_of(student), "ListVirtualMFADevices", {})["VirtualMFADevices"]
        assert devices == []
        assert MFA_PENDING not in student_client.session

    def test_remove_deactivates_and_deletes(self, bob, student, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        _enable(student_client, _codes(seed))
        serial = _devices(student)[0]["SerialNumber"]
        response = student_client.post(reverse("console:user-mfa-remove", args=["bob"]), {"serial_number": serial})
        assert response["Location"] == reverse("console:user-detail", args=["bob"]) + "?tab=security"
        assert _devices(student) == []
        assert iam_call(identity_of(student), "ListVirtualMFADevices", {})["VirtualMFADevices"] == []

    def test_remove_unknown_device_shows_iams_answer(self, bob, student, student_client):
        serial = f"arn:aws:iam::{identity_of(student).account_id}:mfa/nothing"
        response = student_client.post(reverse("console:user-mfa-remove", args=["bob"]), {"serial_number": serial},
                                       follow=True)
        assert "NoSuchEntity" in page(response)

    def test_remove_with_a_malformed_serial_is_404(self, bob, student_client):
        response = student_client.post(reverse("console:user-mfa-remove", args=["bob"]), {"serial_number": "x"})
        assert response.status_code == 404

    def test_security_tab_lists_the_device(self, bob, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        _enable(student_client, _codes(seed))
        text = page(student_client.get(reverse("console:user-detail", args=["bob"]), {"tab": "security"}))
        assert "mfa/bob-phone" in text
        assert "Remove" in text

    def test_the_user_list_says_mfa_yes(self, bob, student_client, frozen_time):
        seed = _seed(page(_assign(student_client)))
        _enable(student_client, _codes(seed))
        text = page(student_client.get(reverse("console:user-list"), {"q": "bob"}))
        assert "<td>Yes</td>" in text
