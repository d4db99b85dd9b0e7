"""IAM > Roles pages: full pages, htmx fragments, the create form's errors, isolation between learners."""
from __future__ import annotations

import html

import pytest
from django.urls import reverse

from console.forms_wizard import TRUST_POLICY_MAX
from sandbox import provisioning, roles
from tests.console.wizard_helpers import create_role_through_wizard, post_entity, post_review, wizard_open
from tests.sandbox.helpers import EC2_TRUST

HTMX = {"HX-Request": "true"}


def _create(client, *, headers=None, **fields):
    """Create a role the way a learner does: the create-role wizard's Custom trust policy path."""
    data = {"role_name": "FirstEc2Role", "description": "", "trust_policy": EC2_TRUST, **fields}
    return create_role_through_wizard(client, headers=headers, **data)


@pytest.mark.django_db
class RoleListTests:
    def test_full_page(self, student_client):
        response = student_client.get(reverse("console:role-list"))
        page = response.content.decode()
        assert "<html" in page
        assert 'id="role-table"' in page
        assert "No roles to display." in page

    def test_htmx_gets_only_the_table_fragment(self, student_client):
        response = student_client.get(reverse("console:role-list"), {"q": "first"}, headers=HTMX)
        page = response.content.decode()
        assert "<html" not in page
        assert page.strip().startswith('<div id="role-table">')
        assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]

    def test_search_filters_by_name(self, student_client):
        _create(student_client)
        _create(student_client, role_name="Other")
        page = student_client.get(reverse("console:role-list"), {"q": "ec2"}, headers=HTMX).content.decode()
        assert "FirstEc2Role" in page
        assert "Other" not in page


@pytest.mark.django_db
class CreateRoleTests:
    """The create-role wizard end to end (its steps are tested in test_wizard_*.py)."""

    def test_create_role_opens_the_wizard(self, student_client):
        response = student_client.get(reverse("console:role-create"))
        assert response.status_code == 302
        page = student_client.get(response["Location"]).content.decode()
        assert 'id="trusted-entity-form"' in page
        assert "sts:AssumeRole" in page

    def test_creating_redirects_to_the_role(self, student_client):
        response = _create(student_client)
        assert response.status_code == 302
        assert response["Location"] == reverse("console:role-detail", args=["FirstEc2Role"])

    def test_malformed_json_keeps_the_learners_text_and_says_where(self, student_client):
        broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        response = _create(student_client, trust_policy=broken)
        page = response.content.decode()
        assert response.status_code == 200
        assert "JSON_SYNTAX_ERROR" in page
        assert "Ln 4, Col 1" in page
        assert html.escape(broken) in page

    def test_duplicate_name_is_a_field_error(self, student_client):
        _create(student_client)
        page = _create(student_client, role_name="firstec2role").content.decode()
        assert "EntityAlreadyExists: Role with name firstec2role already exists." in page

    def test_an_oversized_trust_policy_is_refused_with_a_message(self, student_client):
        wizard_id = wizard_open(student_client)
        response = post_entity(student_client, wizard_id, entity_type="custom",
                               custom_policy="x" * (TRUST_POLICY_MAX + 1))
        assert response.status_code == 200
        assert "Ensure this value has at most" in response.content.decode()

    def test_an_oversized_role_name_is_refused_with_a_message(self, student_client):
        response = _create(student_client, role_name="r" * 65)
        assert "Ensure this value has at most 64 characters" in response.content.decode()

    def test_a_request_body_over_the_upload_limit_is_a_400_page_not_a_500(self, student_client, settings):
        wizard_id = wizard_open(student_client)
        post_entity(student_client, wizard_id, entity_type="custom", custom_policy=EC2_TRUST)
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = post_review(student_client, wizard_id, role_name="r", trust_policy="x" * 5000)
        assert response.status_code == 400
        assert "could not be read" in response.content.decode()


@pytest.mark.django_db
class RoleDetailTests:
    def test_shows_arn_and_trust_policy(self, student_client, student):
        _create(student_client)
        page = student_client.get(reverse("console:role-detail", args=["FirstEc2Role"])).content.decode()
        account_id = provisioning.learner_identity(user=student).account_id
        assert f"arn:aws:iam::{account_id}:role/FirstEc2Role" in page
        assert "ec2.amazonaws.com" in page

    def test_a_missing_role_is_a_404(self, student_client):
        assert student_client.get(reverse("console:role-detail", args=["nope"])).status_code == 404

    def test_another_learners_role_is_a_404(self, client, student, other_student):
        roles.role_create(identity=provisioning.learner_identity(user=other_student), role_name="secret",
                          trust_policy=EC2_TRUST)
        client.force_login(student)
        assert client.get(reverse("console:role-detail", args=["secret"])).status_code == 404
        assert "secret" not in client.get(reverse("console:role-list")).content.decode()


@pytest.mark.django_db
def test_a_busy_sandbox_gets_a_try_again_page_not_a_500(student_client, monkeypatch):
    from sandbox import roles as sandbox_roles
    from sandbox.errors import SandboxUnavailable

    def busy(**_):
        raise SandboxUnavailable("database is locked")

    monkeypatch.setattr(sandbox_roles, "role_list", busy)
    response = student_client.get(reverse("console:role-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was lost" in response.content.decode()


@pytest.mark.django_db
def test_console_calls_carry_the_browsers_address_into_events(student_client, student):
    from sandbox.models import Event

    _create(student_client, headers={"X-Forwarded-For": "ignored"})
    event = Event.objects.get(event_name="CreateRole")
    assert event.source_ip == "127.0.0.1"
    assert event.user_agent == "iam-training-console"
