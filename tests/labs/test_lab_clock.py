"""The teaching clock from a lab page (the steps the lab offers), an instructor's gradebook (any student of their
course), lab calls (`clock` / `Advance`, `Reset`) and the console's top bar; a reset returns to real time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from django.urls import reverse
from django.utils import translation

from labs.services.inprocess_aws import aws_client
from labs.services.lab_clock import INSTRUCTOR_STEPS
from labs.services.lab_runner import LabRunError, RunState, run_call
from sandbox import provisioning
from sandbox.clock import clock_advance, duration_text, real_now, sandbox_now
from sandbox.learners import learner_create
from sandbox.maintenance import sandbox_reset
from sandbox.models import Sandbox

pytestmark = pytest.mark.django_db

CLOCK_LAB = "role-chaining"  # offers 15 minutes and 1 hour
PLAIN_LAB = "first-role"


def _offset(user) -> int:
    return Sandbox.objects.get(owner=user).clock_offset_seconds


@pytest.fixture
def learner(student):
    provisioning.sandbox_provision(user=student)
    return student


def _post(client, slug: str, data: dict, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("labs:lab-clock", args=[slug]), data, headers=headers)


class DurationTextTests:
    def test_words_for_steps_and_offsets(self):
        assert duration_text(900) == "15 minutes"
        assert duration_text(3600) == "1 hour"
        assert duration_text(4500) == "1 hour 15 minutes"
        assert duration_text(2 * 86400 + 61) == "2 days 1 minute 1 second"
        assert duration_text(0) == "0 seconds"

    def test_korean(self):
        with translation.override("ko"):
            assert duration_text(4500) == "1시간 15분"


class LabPageClockTests:
    def test_a_lab_with_steps_shows_the_clock_and_one_without_does_not(self, client, learner, catalog):
        client.force_login(learner)
        page = client.get(reverse("labs:lab-detail", args=[CLOCK_LAB])).content.decode()
        assert 'data-testid="teaching-clock"' in page
        assert 'name="seconds" value="900"' in page and 'name="seconds" value="3600"' in page
        assert "real time" in page
        plain = client.get(reverse("labs:lab-detail", args=[PLAIN_LAB])).content.decode()
        assert 'data-testid="teaching-clock"' not in plain

    def test_a_step_moves_only_the_learners_own_clock(self, client, learner, other_student, catalog):
        provisioning.sandbox_provision(user=other_student)
        client.force_login(learner)
        response = _post(client, CLOCK_LAB, {"seconds": "3600"}, htmx=True)
        assert response.status_code == 200
        assert "1 hour ahead of real time" in response.content.decode()
        assert 'id="clock-ahead-slot" hx-swap-oob="true"' in response.content.decode()  # the top bar's badge
        assert "Sandbox clock +1 hour" in response.content.decode()
        assert _offset(learner) == 3600
        assert _offset(other_student) == 0
        account_id = provisioning.learner_identity(user=learner).account_id
        assert sandbox_now(account_id) - real_now() > timedelta(minutes=59)

    def test_steps_add_up_and_back_to_real_time_resets(self, client, learner, catalog):
        client.force_login(learner)
        _post(client, CLOCK_LAB, {"seconds": "900"})
        _post(client, CLOCK_LAB, {"seconds": "3600"})
        assert _offset(learner) == 4500
        page = client.get(reverse("labs:lab-detail", args=[CLOCK_LAB])).content.decode()
        assert "1 hour 15 minutes ahead of real time" in page
        assert 'data-testid="clock-ahead"' in page  # the top bar says so on every page
        response = _post(client, CLOCK_LAB, {"reset": "1"})
        assert response.status_code == 302
        assert _offset(learner) == 0

    def test_a_step_the_lab_does_not_offer_is_refused_and_changes_nothing(self, client, learner, catalog):
        client.force_login(learner)
        response = _post(client, CLOCK_LAB, {"seconds": "86400"}, htmx=True)
        assert response.status_code == 200
        assert "This lab does not offer that step." in response.content.decode()
        assert _offset(learner) == 0
        response = _post(client, CLOCK_LAB, {"seconds": "soon"})
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "Choose one of the steps offered." in page
        assert _offset(learner) == 0

    def test_a_lab_without_a_clock_refuses(self, client, learner, catalog):
        client.force_login(learner)
        response = _post(client, PLAIN_LAB, {"seconds": "900"}, htmx=True)
        assert "This lab has no teaching clock." in response.content.decode()
        assert _offset(learner) == 0

    def test_without_javascript_the_form_returns_to_the_page_it_was_on(self, client, learner, catalog):
        client.force_login(learner)
        page = reverse("labs:lab-detail", args=[CLOCK_LAB])
        response = _post(client, CLOCK_LAB, {"seconds": "900", "next": page})
        assert response["Location"] == page
        response = _post(client, CLOCK_LAB, {"seconds": "900", "next": "https://evil.example/"})
        assert response["Location"] == page

    def test_signed_out_is_sent_to_sign_in(self, client, catalog):
        response = _post(client, CLOCK_LAB, {"seconds": "900"})
        assert response.status_code == 302
        assert "/signin/" in response["Location"]

    def test_fast_forwarding_an_hour_expires_a_one_hour_session(self, client, catalog):
        """What the clock is for: credentials AssumeRole issued for an hour are refused an hour later."""
        learner = learner_create(username="timetraveller")
        from django.contrib.auth.models import User

        user = User.objects.get(username="timetraveller")
        sts = aws_client("sts", access_key_id=learner.access_key_id, secret_access_key=learner.secret_access_key)
        dev = next(account["account_id"] for account in learner.as_json()["accounts"] if account["alias"] == "dev")
        credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole",
                                      RoleSessionName="before", DurationSeconds=3600)["Credentials"]
        session = aws_client("sts", access_key_id=credentials["AccessKeyId"],
                             secret_access_key=credentials["SecretAccessKey"],
                             session_token=credentials["SessionToken"])
        assert session.get_caller_identity()["Account"] == dev
        client.force_login(user)
        _post(client, CLOCK_LAB, {"seconds": "3600"})
        with pytest.raises(ClientError) as raised:
            session.get_caller_identity()
        assert raised.value.response["Error"]["Code"] == "ExpiredToken"


class InstructorClockTests:
    def _url(self, course, student) -> str:
        return reverse("labs:student-clock", args=[course.pk, student.pk])

    def test_the_gradebook_page_offers_the_students_clock(self, instructor_client, course, enrolled, student):
        provisioning.sandbox_provision(user=student)
        page = instructor_client.get(reverse("labs:gradebook-student", args=[course.pk, student.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert 'data-testid="teaching-clock"' in text
        for seconds in INSTRUCTOR_STEPS:
            assert f'name="seconds" value="{seconds}"' in text

    def test_an_instructor_moves_a_students_clock_and_back(self, instructor_client, course, enrolled, student):
        provisioning.sandbox_provision(user=student)
        response = instructor_client.post(self._url(course, student), {"seconds": "43200"},
                                          headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "12 hours ahead of real time" in response.content.decode()
        assert "hx-swap-oob" not in response.content.decode()  # the instructor's own top bar is not the student's
        assert _offset(student) == 43200
        response = instructor_client.post(self._url(course, student), {"reset": "1"})
        assert response.status_code == 302
        assert _offset(student) == 0

    def test_a_student_without_a_sandbox_yet_gets_a_message(self, instructor_client, course, enrolled, student):
        response = instructor_client.post(self._url(course, student), {"seconds": "900"},
                                          headers={"HX-Request": "true"})
        assert "This student has no sandbox yet" in response.content.decode()

    def test_an_unoffered_step_is_refused(self, instructor_client, course, enrolled, student):
        provisioning.sandbox_provision(user=student)
        response = instructor_client.post(self._url(course, student), {"seconds": "7"},
                                          headers={"HX-Request": "true"})
        assert "That step is not offered." in response.content.decode()
        assert _offset(student) == 0

    def test_only_the_courses_instructor_and_only_its_students(
        self, client, course, enrolled, student, other_student, other_instructor
    ):
        provisioning.sandbox_provision(user=student)
        provisioning.sandbox_provision(user=other_student)
        client.force_login(other_instructor)
        assert client.post(self._url(course, student), {"seconds": "900"}).status_code == 404
        client.force_login(course.instructor)
        assert client.post(self._url(course, other_student), {"seconds": "900"}).status_code == 404
        client.force_login(student)
        assert client.post(self._url(course, student), {"seconds": "900"}).status_code == 403
        assert _offset(student) == 0 and _offset(other_student) == 0


class ClockCallsAndResetTests:
    def test_lab_calls_advance_and_reset_the_clock(self, learner):
        sandbox = Sandbox.objects.get(owner=learner)
        answer = run_call(sandbox, {"service": "clock", "action": "Advance", "params": {"seconds": 7200}},
                          RunState(), agent="test")
        assert "SandboxTime" in answer
        assert _offset(learner) == 7200
        run_call(sandbox, {"service": "clock", "action": "Reset"}, RunState(), agent="test")
        assert _offset(learner) == 0

    def test_a_bad_clock_call_names_itself(self, learner):
        sandbox = Sandbox.objects.get(owner=learner)
        with pytest.raises(LabRunError, match="clock:Rewind is not a clock action"):
            run_call(sandbox, {"service": "clock", "action": "Rewind"}, RunState(), agent="test")
        with pytest.raises(LabRunError, match="only moves forward"):
            run_call(sandbox, {"service": "clock", "action": "Advance", "params": {"seconds": -60}},
                     RunState(), agent="test")

    def test_resetting_the_sandbox_returns_the_clock_to_real_time(self, learner):
        sandbox = Sandbox.objects.get(owner=learner)
        clock_advance(sandbox, 3600)
        sandbox_reset(sandbox=sandbox)
        assert _offset(learner) == 0
