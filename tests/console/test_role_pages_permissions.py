"""The role page's Permissions tab: attach (with search), detach, inline policies, permissions boundary."""
from __future__ import annotations

import html
import json

import pytest
from django.urls import reverse

from sandbox.api import iam_call
from tests.console.role_pages_helpers import (
    HTMX,
    LIST_ROLES,
    READ_ONLY,
    S3_READ,
    attached,
    get_role,
    identity,
    inline,
    make_role,
    switch_to_powerless_role,
    text,
)

BROKEN = '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {"Effect": "Allow",\n'
NO_RESOURCE = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]},
                         indent=4)


@pytest.fixture
def role(student):
    make_role(student, "AppRole")
    return "AppRole"


def _url(route, *args):
    return reverse(f"console:{route}", args=["AppRole", *args])


@pytest.mark.django_db
class AttachPoliciesTests:
    def test_the_chooser_is_a_full_page_without_javascript(self, student_client, role):
        page = text(student_client.get(_url("role-policies-attach")))
        assert "<html" in page
        assert "Attach policy to AppRole" in page
        assert f'value="{READ_ONLY}"' in page

    def test_htmx_gets_the_permissions_panel_with_the_chooser(self, student_client, role):
        page = text(student_client.get(_url("role-policies-attach"), headers=HTMX))
        assert page.strip().startswith('<div id="panel-permissions"')
        assert 'id="policy-picker"' in page

    def test_the_search_answers_with_the_policy_table_only(self, student_client, role):
        headers = {**HTMX, "HX-Target": "policy-picker"}
        page = text(student_client.get(_url("role-policies-attach"), {"q": "s3read"}, headers=headers))
        assert page.strip().startswith('<div id="policy-picker">')
        assert f'value="{S3_READ}"' in page
        assert f'value="{READ_ONLY}"' not in page

    def test_without_javascript_the_search_is_a_get_of_the_chooser(self, student_client, role):
        page = text(student_client.get(_url("role-policies-attach"), {"q": "s3read"}))
        assert "<html" in page
        assert f'value="{S3_READ}"' in page
        assert f'value="{READ_ONLY}"' not in page

    def test_the_search_keeps_ticked_policies_it_hides(self, student_client, role):
        headers = {**HTMX, "HX-Target": "policy-picker"}
        page = text(student_client.get(_url("role-policies-attach"), {"q": "s3read", "policy_arn": READ_ONLY},
                                       headers=headers))
        assert f'<input type="hidden" name="policy_arn" value="{READ_ONLY}">' in page

    def test_attached_policies_are_not_offered_again(self, student_client, student, role):
        iam_call(identity(student), "AttachRolePolicy", {"RoleName": role, "PolicyArn": READ_ONLY})
        page = text(student_client.get(_url("role-policies-attach")))
        assert f'name="policy_arn" value="{READ_ONLY}"' not in page

    def test_attaching_adds_the_policies(self, student_client, student, role):
        response = student_client.post(_url("role-policies-attach"), {"policy_arn": [READ_ONLY, S3_READ]})
        assert response.status_code == 302
        assert response["Location"] == reverse("console:role-detail", args=[role]) + "?tab=permissions"
        assert sorted(attached(student, role)) == sorted([READ_ONLY, S3_READ])

    def test_htmx_attach_answers_with_the_panel_and_a_notice(self, student_client, role):
        response = student_client.post(_url("role-policies-attach"), {"policy_arn": [READ_ONLY]}, headers=HTMX)
        page = text(response)
        assert page.strip().startswith('<div id="panel-permissions"')
        assert "Policy was successfully attached to role." in page
        assert response["HX-Push-Url"] == reverse("console:role-detail", args=[role]) + "?tab=permissions"

    def test_nothing_ticked_is_an_error(self, student_client, role):
        response = student_client.post(_url("role-policies-attach"), {})
        assert response.status_code == 200
        assert "Select at least one policy." in text(response)

    def test_a_policy_that_does_not_exist_shows_aws_error(self, student_client, role):
        response = student_client.post(_url("role-policies-attach"),
                                       {"policy_arn": ["arn:aws:iam::aws:policy/NoSuchPolicy"]})
        assert "NoSuchEntity" in text(response)

    def test_something_that_is_not_an_arn_is_refused_in_the_form(self, student_client, student, role):
        response = student_client.post(_url("role-policies-attach"), {"policy_arn": ["x" * 5000]})
        assert "Select at least one policy." in text(response)
        assert attached(student, role) == []

    def test_the_tab_lists_attached_policies_with_their_type(self, student_client, student, role):
        iam_call(identity(student), "AttachRolePolicy", {"RoleName": role, "PolicyArn": READ_ONLY})
        page = text(student_client.get(reverse("console:role-detail", args=[role]), headers=HTMX))
        assert "ReadOnlyAccess" in page
        assert "AWS managed" in page


@pytest.mark.django_db
class DetachPolicyTests:
    def test_remove_detaches_the_policy(self, student_client, student, role):
        iam_call(identity(student), "AttachRolePolicy", {"RoleName": role, "PolicyArn": READ_ONLY})
        response = student_client.post(_url("role-policy-detach"), {"policy_arn": READ_ONLY})
        assert response.status_code == 302
        assert attached(student, role) == []

    def test_htmx_remove_answers_with_the_panel(self, student_client, student, role):
        iam_call(identity(student), "AttachRolePolicy", {"RoleName": role, "PolicyArn": READ_ONLY})
        page = text(student_client.post(_url("role-policy-detach"), {"policy_arn": READ_ONLY}, headers=HTMX))
        assert "Policy ReadOnlyAccess removed." in page

    def test_a_policy_that_is_not_attached_shows_aws_error(self, student_client, role):
        response = student_client.post(_url("role-policy-detach"), {"policy_arn": READ_ONLY}, headers=HTMX)
        assert response.status_code == 200
        assert "NoSuchEntity" in text(response)

    def test_remove_needs_a_post(self, student_client, role):
        assert student_client.get(_url("role-policy-detach")).status_code == 405

    def test_a_switched_to_role_without_permissions_sees_the_denial_in_the_panel(self, client, student, role):
        iam_call(identity(student), "AttachRolePolicy", {"RoleName": role, "PolicyArn": READ_ONLY})
        client.force_login(student)
        switch_to_powerless_role(client, student)
        client.raise_request_exception = False
        response = client.post(_url("role-policy-detach"), {"policy_arn": READ_ONLY})
        assert response.status_code == 403  # IAM refused DetachRolePolicy, then GetRole: the denial page
        assert attached(student, role) == [READ_ONLY]


@pytest.mark.django_db
class InlinePolicyTests:
    def test_the_editor_is_a_full_page_without_javascript(self, student_client, role):
        page = text(student_client.get(_url("role-inline-policy-create")))
        assert "<html" in page
        assert "Create inline policy" in page
        assert 'name="policy_document"' in page

    def test_htmx_gets_the_panel_with_the_editor(self, student_client, role):
        page = text(student_client.get(_url("role-inline-policy-create"), headers=HTMX))
        assert page.strip().startswith('<div id="panel-permissions"')
        assert 'id="inline-findings"' in page

    def test_a_valid_policy_is_saved(self, student_client, student, role):
        response = student_client.post(_url("role-inline-policy-create"),
                                       {"policy_name": "list-roles", "policy_document": LIST_ROLES})
        assert response.status_code == 302
        assert inline(student, role) == ["list-roles"]

    def test_broken_json_is_kept_and_the_error_is_placed_at_its_line(self, student_client, student, role):
        response = student_client.post(_url("role-inline-policy-create"),
                                       {"policy_name": "broken", "policy_document": BROKEN}, headers=HTMX)
        page = text(response)
        assert response.status_code == 200
        assert "Ln 5" in page
        assert html.escape(BROKEN) in page
        assert inline(student, role) == []

    def test_a_statement_without_resource_is_an_error_finding(self, student_client, student, role):
        page = text(student_client.post(_url("role-inline-policy-create"),
                                        {"policy_name": "nores", "policy_document": NO_RESOURCE}))
        assert "Fix 1 error before saving." in page
        assert "rp-severity-error" in page
        assert inline(student, role) == []

    def test_live_validation_answers_with_the_findings_only(self, student_client, role):
        response = student_client.post(_url("role-inline-policy-create"),
                                       {"policy_name": "x", "policy_document": BROKEN, "action": "validate"},
                                       headers=HTMX)
        page = text(response)
        assert page.strip().startswith('<div id="inline-findings"')
        assert "JSON_SYNTAX_ERROR" in page or "Ln 5" in page

    @pytest.mark.parametrize("name", ["", "has space", "p" * 129])
    def test_a_bad_policy_name_is_refused(self, student_client, student, role, name):
        response = student_client.post(_url("role-inline-policy-create"),
                                       {"policy_name": name, "policy_document": LIST_ROLES})
        assert 'class="field-error"' in text(response)
        assert inline(student, role) == []

    def test_an_oversized_document_is_refused_with_a_message(self, student_client, role):
        response = student_client.post(_url("role-inline-policy-create"),
                                       {"policy_name": "big", "policy_document": "x" * 131073})
        assert "Ensure this value has at most 131072 characters" in text(response)

    def test_an_existing_policy_opens_with_its_document(self, student_client, student, role):
        iam_call(identity(student), "PutRolePolicy",
                 {"RoleName": role, "PolicyName": "list", "PolicyDocument": LIST_ROLES})
        page = text(student_client.get(_url("role-inline-policy-edit", "list")))
        assert "iam:ListRoles" in page
        assert "Edit list" in page

    def test_editing_keeps_the_name_and_saves_the_document(self, student_client, student, role):
        iam_call(identity(student), "PutRolePolicy",
                 {"RoleName": role, "PolicyName": "list", "PolicyDocument": LIST_ROLES})
        new = LIST_ROLES.replace("iam:ListRoles", "iam:GetRole")
        student_client.post(_url("role-inline-policy-edit", "list"), {"policy_name": "renamed", "policy_document": new})
        assert inline(student, role) == ["list"]
        answer = iam_call(identity(student), "GetRolePolicy", {"RoleName": role, "PolicyName": "list"})
        assert "GetRole" in answer["PolicyDocument"]

    def test_a_missing_inline_policy_is_a_404(self, student_client, role):
        assert student_client.get(_url("role-inline-policy-edit", "nope")).status_code == 404

    def test_remove_deletes_the_inline_policy(self, student_client, student, role):
        iam_call(identity(student), "PutRolePolicy",
                 {"RoleName": role, "PolicyName": "list", "PolicyDocument": LIST_ROLES})
        student_client.post(_url("role-inline-policy-delete", "list"))
        assert inline(student, role) == []


@pytest.mark.django_db
class PermissionsBoundaryTests:
    def test_the_chooser_offers_radio_buttons(self, student_client, role):
        page = text(student_client.get(_url("role-boundary-set")))
        assert "Set permissions boundary" in page
        assert f'type="radio" name="policy_arn" value="{READ_ONLY}"' in page

    def test_setting_the_boundary(self, student_client, student, role):
        student_client.post(_url("role-boundary-set"), {"policy_arn": READ_ONLY})
        assert get_role(student, role)["PermissionsBoundary"]["PermissionsBoundaryArn"] == READ_ONLY

    def test_the_tab_shows_the_boundary(self, student_client, student, role):
        student_client.post(_url("role-boundary-set"), {"policy_arn": READ_ONLY})
        page = text(student_client.get(reverse("console:role-detail", args=[role])))
        assert 'data-testid="boundary">ReadOnlyAccess<' in page
        assert "Change boundary" in page

    def test_two_policies_are_refused(self, student_client, student, role):
        response = student_client.post(_url("role-boundary-set"), {"policy_arn": [READ_ONLY, S3_READ]})
        assert "Choose one policy as the permissions boundary." in text(response)
        assert "PermissionsBoundary" not in get_role(student, role)

    def test_removing_the_boundary(self, student_client, student, role):
        student_client.post(_url("role-boundary-set"), {"policy_arn": READ_ONLY})
        student_client.post(_url("role-boundary-delete"))
        assert "PermissionsBoundary" not in get_role(student, role)


@pytest.mark.django_db
def test_the_tab_counts_managed_and_inline_policies(student_client, student, role):
    who = identity(student)
    iam_call(who, "AttachRolePolicy", {"RoleName": role, "PolicyArn": READ_ONLY})
    iam_call(who, "PutRolePolicy", {"RoleName": role, "PolicyName": "list", "PolicyDocument": LIST_ROLES})
    page = text(student_client.get(reverse("console:role-detail", args=[role]), headers=HTMX))
    assert 'Permissions policies <span class="count">(2)</span>' in page
