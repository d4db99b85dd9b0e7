"""CloudTrail > Event history: list, filters, pages, htmx fragments, the JSON record, isolation, authorization."""
from __future__ import annotations

import html
import json
import re
import uuid
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone

from console.selectors.events import PAGE_SIZE
from sandbox import events, provisioning
from sandbox.api import iam_call
from sandbox.models import Event
from tests.console.activity_helpers import (
    AUDITOR_POLICY,
    HTMX,
    LIST_ONLY_POLICY,
    home_role,
    switch_to,
)

LIST = "console:event-list"


def _identity(user):
    return provisioning.learner_identity(user=user)


def _record(user, name: str, **fields) -> Event:
    identity = _identity(user)
    return events.event_record(identity=identity, account_id=identity.account_id, event_name=name, **fields)


def _names(page: str) -> list[str]:
    """The event names in the table, top to bottom."""
    return re.findall(r'hx-push-url="true">([A-Za-z]+)</a></td>', page)


def _list(client, headers=None, **params) -> str:
    response = client.get(reverse(LIST), params, headers=headers or {})
    assert response.status_code == 200
    return response.content.decode()


def _detail_url(event: Event) -> str:
    return reverse("console:event-detail", args=[event.event_id])


@pytest.mark.django_db
class EventListTests:
    def test_full_page_has_the_filters_and_the_table(self, student_client, student):
        _record(student, "CreateRole", request_parameters={"roleName": "app"})
        page = _list(student_client)
        assert "<html" in page
        assert 'id="event-filters"' in page
        assert 'id="event-table"' in page
        for column in ("Event name", "Event time", "User name", "Event source", "Resource type", "Resource name",
                       "Error code"):
            assert f">{column}</th>" in page

    def test_htmx_gets_only_the_table_fragment(self, student_client, student):
        _record(student, "CreateRole")
        response = student_client.get(reverse(LIST), {"value": "CreateRole"}, headers=HTMX)
        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith('<div id="event-table"')
        assert "HX-Request" in response["Vary"]

    def test_newest_first(self, student_client, student):
        _record(student, "CreateRole")
        _record(student, "DeleteRole")
        assert _names(_list(student_client))[:2] == ["DeleteRole", "CreateRole"]

    def test_row_shows_user_source_resource_and_error(self, student_client, student):
        _record(student, "DeleteRole", request_parameters={"roleName": "app"}, error_code="AccessDenied",
                error_message="denied")
        page = _list(student_client)
        assert ">student1</td>" in page
        assert "iam.amazonaws.com" in page
        assert "AWS::IAM::Role" in page
        assert ">app</td>" in page
        assert '<span class="error-code">AccessDenied</span>' in page

    def test_console_reads_are_listed_as_the_api_calls_they_are(self, student_client, student):
        iam_call(_identity(student), "ListRoles")
        assert "ListRoles" in _names(_list(student_client))


@pytest.mark.django_db
class EventFilterTests:
    def test_event_name(self, student_client, student):
        _record(student, "CreateRole")
        _record(student, "DeleteRole")
        assert _names(_list(student_client, attribute="EventName", value="CreateRole")) == ["CreateRole"]

    def test_user_name_of_an_iam_user(self, student_client, student):
        _record(student, "CreateRole")
        _record(student, "DeleteRole", user_identity={"type": "IAMUser", "userName": "someone-else"})
        assert _names(_list(student_client, attribute="Username", value="student1")) == ["CreateRole"]

    def test_user_name_matches_the_session_name_of_a_role_session(self, student_client, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        switch_to(student_client, student, "Auditor")
        student_client.get(reverse("console:role-detail", args=["Auditor"]))  # denied GetRole as the session
        names = _names(_list(student_client, attribute="Username", value="student1", errors_only="on"))
        assert names == ["GetRole"]

    def test_resource_name(self, student_client, student):
        _record(student, "CreateRole", request_parameters={"roleName": "app"})
        _record(student, "CreateRole", request_parameters={"roleName": "other"})
        _record(student, "AttachRolePolicy", request_parameters={"roleName": "app", "policyArn": "arn:x"})
        names = _names(_list(student_client, attribute="ResourceName", value="app"))
        assert names == ["AttachRolePolicy", "CreateRole"]

    def test_resource_type(self, student_client, student):
        _record(student, "CreateUser", request_parameters={"userName": "bob"})
        _record(student, "CreateRole", request_parameters={"roleName": "app"})
        assert _names(_list(student_client, attribute="ResourceType", value="AWS::IAM::User")) == ["CreateUser"]

    def test_event_source(self, student_client, student):
        _record(student, "CreateRole")
        _record(student, "LookupEvents", event_source="cloudtrail.amazonaws.com")
        names = _names(_list(student_client, attribute="EventSource", value="cloudtrail.amazonaws.com"))
        assert names == ["LookupEvents"]

    def test_access_key_id(self, student_client, student):
        _record(student, "CreateRole", access_key_id="AKIAEXAMPLEEXAMPLE01")
        _record(student, "DeleteRole")
        assert _names(_list(student_client, attribute="AccessKeyId", value="AKIAEXAMPLEEXAMPLE01")) == ["CreateRole"]

    def test_read_only(self, student_client, student):
        _record(student, "GetRole", read_only=True)
        _record(student, "CreateRole")
        assert _names(_list(student_client, attribute="ReadOnly", value="true")) == ["GetRole"]
        assert _names(_list(student_client, attribute="ReadOnly", value="false")) == ["CreateRole"]

    def test_event_id(self, student_client, student):
        wanted = _record(student, "CreateRole")
        _record(student, "DeleteRole")
        assert _names(_list(student_client, attribute="EventId", value=str(wanted.event_id))) == ["CreateRole"]

    def test_a_malformed_event_id_finds_nothing(self, student_client, student):
        _record(student, "CreateRole")
        assert _names(_list(student_client, attribute="EventId", value="not-a-uuid")) == []

    def test_errors_only(self, student_client, student):
        _record(student, "CreateRole")
        _record(student, "DeleteRole", error_code="NoSuchEntity", error_message="gone")
        assert _names(_list(student_client, errors_only="on")) == ["DeleteRole"]

    def test_relative_time_range(self, student_client, student):
        old = _record(student, "CreateRole")
        Event.objects.filter(pk=old.pk).update(event_time=timezone.now() - timedelta(hours=2))
        _record(student, "DeleteRole")
        assert _names(_list(student_client, range="1h")) == ["DeleteRole"]
        assert _names(_list(student_client, range="3h")) == ["DeleteRole", "CreateRole"]

    def test_absolute_time_range(self, student_client, student):
        old = _record(student, "CreateRole")
        Event.objects.filter(pk=old.pk).update(event_time=timezone.now() - timedelta(days=3))
        _record(student, "DeleteRole")
        start = (timezone.now() - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
        end = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        assert _names(_list(student_client, start=start, end=end)) == ["CreateRole"]

    def test_a_reversed_range_is_an_error_and_filters_nothing(self, student_client, student):
        _record(student, "CreateRole")
        page = _list(student_client, start="2030-01-02T00:00", end="2030-01-01T00:00", headers=HTMX)
        assert "The start of the time range must be before its end." in page
        assert _names(page) == ["CreateRole"]

    def test_a_malformed_date_is_an_error_not_a_crash(self, student_client, student):
        page = _list(student_client, start="yesterday-ish")
        assert "Enter a valid date/time." in page

    def test_read_only_takes_true_or_false(self, student_client, student):
        page = _list(student_client, attribute="ReadOnly", value="maybe")
        assert "Read-only takes the value true or false." in page

    def test_an_unknown_attribute_is_an_error_not_a_crash(self, student_client, student):
        page = _list(student_client, attribute="Bogus", value="x")
        assert "Select a valid choice." in page

    def test_filters_stay_in_the_form(self, student_client, student):
        page = _list(student_client, attribute="EventSource", value="iam.amazonaws.com", errors_only="on")
        assert '<option value="EventSource" selected>' in page
        assert 'value="iam.amazonaws.com"' in page
        assert 'name="errors_only" id="id_errors_only" checked' in page


@pytest.mark.django_db
class EventPaginationTests:
    def _many(self, user, count: int) -> None:
        identity = _identity(user)
        account = identity.account_id
        for number in range(count):
            events.event_record(identity=identity, account_id=account, event_name=f"Call{chr(65 + number % 26)}")

    def test_first_page_holds_a_page_and_links_the_next(self, student_client, student):
        self._many(student, PAGE_SIZE + 3)
        page = _list(student_client)
        assert len(_names(page)) == PAGE_SIZE
        assert "Page 1 of 2" in page
        assert 'rel="next"' in page
        assert 'rel="prev"' not in page

    def test_second_page_keeps_the_filters_in_its_links(self, student_client, student):
        self._many(student, PAGE_SIZE + 3)
        page = _list(student_client, errors_only="", range="1d", page=2, headers=HTMX)
        assert page.strip().startswith('<div id="event-table"')
        assert len(_names(page)) == 3
        previous = html.unescape(re.search(r'href="\?([^"]*)"[^>]*rel="prev"', page).group(1))
        assert parse_qs(previous) == {"range": ["1d"], "page": ["1"]}

    def test_a_bad_page_number_gives_a_page_not_an_error(self, student_client, student):
        self._many(student, 3)
        assert len(_names(_list(student_client, page="abc"))) == 3
        assert len(_names(_list(student_client, page="999"))) == 3


@pytest.mark.django_db
class EventIsolationTests:
    def test_another_learners_events_are_not_listed(self, student_client, student, other_student):
        _record(other_student, "SecretCall")
        _record(student, "CreateRole")
        assert _names(_list(student_client)) == ["CreateRole"]

    def test_only_the_account_the_console_acts_in(self, student_client, student):
        sandbox = provisioning.sandbox_provision(user=student)
        dev = sandbox.accounts.get(alias="dev").account_id
        events.event_record(identity=_identity(student), account_id=dev, event_name="DevCall")
        assert "DevCall" not in _names(_list(student_client))
        student_client.post(reverse("console:switch-role"), {"account": "dev",
                                                              "role_name": provisioning.ORGANIZATION_ACCESS_ROLE})
        assert "DevCall" in _names(_list(student_client))

    def test_a_role_without_lookup_events_sees_the_denial(self, student_client, student):
        home_role(student, "ListOnly", LIST_ONLY_POLICY)
        switch_to(student_client, student, "ListOnly")
        response = student_client.get(reverse(LIST))
        page = response.content.decode()
        assert response.status_code == 403
        assert "You don&#x27;t have permission" in page or "You don't have permission" in page
        assert "cloudtrail:LookupEvents" in page

    def test_the_refused_lookup_is_itself_recorded(self, student_client, student):
        home_role(student, "ListOnly", LIST_ONLY_POLICY)
        switch_to(student_client, student, "ListOnly")
        student_client.get(reverse(LIST))
        denied = Event.objects.filter(event_name="LookupEvents", error_code="AccessDenied").get()
        assert denied.event_source == "cloudtrail.amazonaws.com"
        assert denied.user_identity["type"] == "AssumedRole"


@pytest.mark.django_db
class EventDetailTests:
    def test_full_page_shows_the_key_fields_and_the_record(self, student_client, student):
        event = _record(student, "CreateRole", request_parameters={"roleName": "app"}, request_id="req-1")
        response = student_client.get(_detail_url(event))
        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" in page
        assert str(event.event_id) in page
        assert "req-1" in page
        record = html.unescape(re.search(r'data-testid="event-record"[^>]*>(.*?)</pre>', page, re.S).group(1))
        assert json.loads(record) == events.event_cloudtrail_record(event)

    def test_the_record_is_indented_json(self, student_client, student):
        event = _record(student, "CreateRole")
        page = student_client.get(_detail_url(event)).content.decode()
        assert '\n  &quot;eventName&quot;: &quot;CreateRole&quot;,' in page

    def test_htmx_gets_only_the_detail_fragment(self, student_client, student):
        event = _record(student, "CreateRole")
        response = student_client.get(_detail_url(event), headers=HTMX)
        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith('<section id="event-detail"')
        assert "HX-Request" in response["Vary"]

    def test_another_learners_event_is_a_404(self, student_client, other_student):
        foreign = _record(other_student, "CreateRole")
        assert student_client.get(_detail_url(foreign)).status_code == 404

    def test_an_event_of_another_account_of_the_same_sandbox_is_a_404(self, student_client, student):
        dev = provisioning.sandbox_provision(user=student).accounts.get(alias="dev").account_id
        event = events.event_record(identity=_identity(student), account_id=dev, event_name="DevCall")
        assert student_client.get(_detail_url(event)).status_code == 404

    def test_an_unknown_event_id_is_a_404(self, student_client, student):
        assert student_client.get(reverse("console:event-detail", args=[uuid.uuid4()])).status_code == 404

    def test_a_malformed_event_id_is_a_404(self, student_client):
        assert student_client.get("/console/cloudtrail/events/not-a-uuid/").status_code == 404

    def test_a_denial_links_to_the_simulator_with_its_principal_action_and_resource(self, student_client, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        switch_to(student_client, student, "Auditor")
        student_client.get(reverse("console:role-detail", args=["Auditor"]))
        denied = Event.objects.get(event_name="GetRole", error_code="AccessDenied")
        page = student_client.get(_detail_url(denied)).content.decode()
        query = html.unescape(re.search(r'policy-simulator/\?([^"]*)"', page).group(1))
        params = parse_qs(query)
        assert params["principal"] == ["role:Auditor"]
        assert params["actions"] == ["iam:GetRole"]
        assert params["resources"] == [f"arn:aws:iam::{denied.account.account_id}:role/Auditor"]

    def test_a_successful_event_has_no_simulator_link(self, student_client, student):
        event = _record(student, "CreateRole")
        assert 'data-testid="simulate-event"' not in student_client.get(_detail_url(event)).content.decode()

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        response = client.get(reverse(LIST))
        assert response.status_code == 302
        assert "/signin/" in response["Location"]
