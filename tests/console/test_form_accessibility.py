"""Fields with errors are announced: aria-invalid="true" and aria-describedby naming the error (and help text) ids,
and no aria-describedby on a console page points at an id that is not there."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.console.role_pages_helpers import make_role
from tests.console.wizard_helpers import post_entity, post_permissions, post_review, wizard_open

FIELDS = {"input", "select", "textarea", "fieldset"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, list[str]] = {}  # id -> text inside it
        self.fields: list[dict[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if attributes.get("type") == "hidden":
            return
        if tag in FIELDS:
            self.fields.append({"tag": tag, **attributes})
        if "id" in attributes:
            self.ids.setdefault(attributes["id"], [])
            if tag not in {"input", "br", "img", "meta", "link"}:
                self._open.append(attributes["id"])

    def handle_data(self, data):
        for element_id in self._open:
            self.ids[element_id].append(data)


def _parse(response) -> _Elements:
    assert response.status_code == 200, response.content.decode()[:300]
    parsed = _Elements()
    parsed.feed(response.content.decode())
    return parsed


def dangling_references(response) -> list[str]:
    parsed = _parse(response)
    return [f"{field.get('id') or field.get('name')} -> {ref}" for field in parsed.fields
            for ref in field.get("aria-describedby", "").split() if ref not in parsed.ids]


def invalid_fields(response) -> dict[str, str]:
    """Each field marked aria-invalid, with the text of the elements its aria-describedby names."""
    parsed = _parse(response)
    return {field.get("id") or field["name"]: " ".join(
        "".join(parsed.ids.get(ref, [])) for ref in field.get("aria-describedby", "").split())
        for field in parsed.fields if field.get("aria-invalid") == "true"}


@pytest.mark.django_db
class FormFieldsPartialTests:
    def test_an_empty_switch_role_form_marks_both_required_fields(self, student_client):
        response = student_client.post(reverse("console:switch-role"), {"account": "", "role_name": ""})
        fields = invalid_fields(response)
        assert set(fields) == {"id_account", "id_role_name"}
        assert all("This field is required." in described for described in fields.values())

    def test_the_help_text_is_described_too(self, student_client):
        response = student_client.post(reverse("console:switch-role"), {"account": "", "role_name": ""})
        assert "12-digit account ID" in invalid_fields(response)["id_account"]

    def test_no_reference_dangles(self, student_client):
        response = student_client.post(reverse("console:switch-role"), {"account": "", "role_name": ""})
        assert dangling_references(response) == []


@pytest.mark.django_db
class WizardFieldTests:
    def test_a_bad_account_id_is_announced(self, student_client):
        wizard_id = wizard_open(student_client)
        response = post_entity(student_client, wizard_id, entity_type="aws_account", account="other",
                               account_id="123")
        fields = invalid_fields(response)
        assert "12 digits" in fields["id_account_id"]
        assert dangling_references(response) == []

    def test_no_trusted_entity_type_is_announced_on_the_radios(self, student_client):
        wizard_id = wizard_open(student_client)
        response = post_entity(student_client, wizard_id)
        fields = invalid_fields(response)
        assert fields and all(name.startswith("entity-") for name in fields)
        assert dangling_references(response) == []

    def test_a_bad_role_name_is_announced_on_review(self, student_client):
        wizard_id = wizard_open(student_client)
        post_entity(student_client, wizard_id, entity_type="aws_service", service="ec2", use_case="ec2")
        post_permissions(student_client, wizard_id)
        response = post_review(student_client, wizard_id, role_name="bad name!", trust_policy="{}")
        fields = invalid_fields(response)
        assert "id_role_name" in fields and fields["id_role_name"].strip()
        assert dangling_references(response) == []

    def test_a_broken_trust_policy_is_announced_with_its_findings(self, student_client):
        wizard_id = wizard_open(student_client)
        post_entity(student_client, wizard_id, entity_type="aws_service", service="ec2", use_case="ec2")
        post_permissions(student_client, wizard_id)
        response = post_review(student_client, wizard_id, role_name="ok", trust_policy='{"Version": ')
        assert "id_trust_policy" in invalid_fields(response)
        assert dangling_references(response) == []


@pytest.mark.django_db
class OtherFormTests:
    def test_a_bad_user_name_is_announced(self, student_client):
        response = student_client.post(reverse("console:user-create"), {"user_name": "bob smith"})
        assert "id_user_name" in invalid_fields(response)
        assert dangling_references(response) == []

    def test_a_bad_simulator_action_is_announced(self, student_client):
        data = {"mode": "principal", "principal": "user:student1", "actions": "GetObject", "resources": "*",
                "context_rows": "2"}
        response = student_client.post(reverse("console:policy-simulator"), data)
        assert "service:ActionName" in invalid_fields(response)["id_actions"]
        assert dangling_references(response) == []

    def test_a_bad_role_summary_is_announced(self, student_client, student):
        make_role(student, "AppRole")
        url = reverse("console:role-summary-edit", args=["AppRole"])
        response = student_client.post(url, {"description": "", "max_session_duration": "12"})
        assert "id_max_session_duration" in invalid_fields(response)
        assert dangling_references(response) == []

    def test_a_wrong_password_marks_the_sign_in_fields(self, client, student):
        response = client.post(reverse("signin"), {"username": "student1", "password": "wrong"})
        assert set(invalid_fields(response)) == {"id_username", "id_password"}


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", [
    "console:switch-role", "console:user-create", "console:policy-create", "console:policy-simulator",
    "console:event-list", "console:provider-create", "console:cli-access", "console:role-list",
])
def test_no_page_points_at_a_missing_description(student_client, url_name):
    assert dangling_references(student_client.get(reverse(url_name))) == []


@pytest.mark.django_db
def test_the_wizard_steps_point_at_no_missing_description(student_client):
    wizard_id = wizard_open(student_client)
    assert dangling_references(student_client.get(reverse("console:role-create-entity", args=[wizard_id]))) == []
