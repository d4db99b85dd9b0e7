"""IAM > Roles table: search, pages, trusted entities, last activity, and "Delete" with its confirmation."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sandbox.api import iam_call
from tests.console.role_pages_helpers import (
    EC2_TRUST,
    HTMX,
    READ_ONLY,
    attached,
    identity,
    make_role,
    role_names,
    role_session,
    text,
)

GOOGLE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"accounts.google.com:aud": "app-1"}}}]})


def _list(client, headers=None, **query):
    return client.get(reverse("console:role-list"), query, headers=headers or {})


def _delete(client, roles, confirmation, headers=None):
    return client.post(reverse("console:role-delete"), {"role": roles, "confirmation": confirmation},
                       headers=headers or {})


@pytest.mark.django_db
class RoleTableTests:
    def test_full_page_has_the_console_columns(self, student_client, student):
        make_role(student, "AppRole")
        page = text(_list(student_client))
        assert "<html" in page
        for column in ("Role name", "Trusted entities", "Last activity", "Creation date"):
            assert f">{column}</th>" in page

    def test_htmx_gets_only_the_table(self, student_client, student):
        make_role(student, "AppRole")
        page = text(_list(student_client, headers=HTMX, q="app"))
        assert "<html" not in page
        assert page.strip().startswith('<div id="role-table">')

    def test_a_service_role_is_trusted_by_the_service(self, student_client, student):
        make_role(student, "Ec2Role", trust=EC2_TRUST)
        assert "AWS Service: ec2" in text(_list(student_client))

    def test_an_account_role_is_trusted_by_the_account(self, student_client, student):
        make_role(student, "AccountRole")
        assert f"Account: {identity(student).account_id}" in text(_list(student_client))

    def test_a_web_identity_role_is_trusted_by_the_provider(self, student_client, student):
        make_role(student, "GoogleRole", trust=GOOGLE_TRUST)
        assert "Identity Provider: accounts.google.com" in text(_list(student_client))

    def test_a_role_never_used_has_no_last_activity(self, student_client, student):
        make_role(student, "IdleRole")
        page = text(_list(student_client, headers=HTMX, q="IdleRole"))
        assert "<time" not in page

    def test_a_role_whose_session_called_iam_shows_its_last_activity(self, student_client, student):
        make_role(student, "BusyRole")
        session = role_session(student, "BusyRole")
        with pytest.raises(Exception):  # noqa: B017 - the role has no permissions: the attempt still counts
            iam_call(session, "ListRoles")
        page = text(_list(student_client, headers=HTMX, q="BusyRole"))
        assert "<time datetime=" in page
        assert "ago" in page

    def test_another_learners_roles_are_not_listed(self, client, student, other_student):
        make_role(other_student, "TheirSecretRole")
        client.force_login(student)
        assert "TheirSecretRole" not in text(_list(client))


@pytest.mark.django_db
class RolePaginationTests:
    @pytest.fixture
    def many_roles(self, student):
        for number in range(25):
            make_role(student, f"Role{number:02d}")

    def test_the_first_page_shows_twenty_roles_and_a_next_link(self, student_client, many_roles):
        page = text(_list(student_client))
        assert page.count('name="role"') == 20
        assert 'rel="next"' in page
        assert "Page 1 of 2" in page

    def test_the_second_page_shows_the_rest(self, student_client, many_roles):
        page = text(_list(student_client, headers=HTMX, page="2"))
        assert page.count('name="role"') == 5
        assert 'rel="prev"' in page
        assert "Role24" in page

    def test_the_page_links_keep_the_search(self, student_client, many_roles):
        page = text(_list(student_client, q="role"))
        assert "q=role&amp;page=2" in page

    @pytest.mark.parametrize("number", ["abc", "999", "-1", "1" * 50])
    def test_a_bad_page_number_still_shows_a_page(self, student_client, many_roles, number):
        response = _list(student_client, page=number)
        assert response.status_code == 200
        assert 'id="role-table"' in text(response)

    def test_a_long_search_is_cut_not_refused(self, student_client, many_roles):
        response = _list(student_client, q="x" * 5000)
        assert response.status_code == 200


@pytest.mark.django_db
class RoleDeleteConfirmationTests:
    def test_without_javascript_the_confirmation_is_a_page(self, student_client, student):
        make_role(student, "OldRole")
        response = student_client.get(reverse("console:role-delete"), {"role": "OldRole"})
        page = text(response)
        assert "<html" in page
        assert "Delete OldRole?" in page
        assert "To confirm deletion, enter the role name in the text input field." in page

    def test_with_htmx_the_confirmation_is_a_dialog(self, student_client, student):
        make_role(student, "OldRole")
        page = text(student_client.get(reverse("console:role-delete"), {"role": "OldRole"}, headers=HTMX))
        assert page.strip().startswith('<dialog id="role-delete-dialog"')
        assert "showModal" in page

    def test_several_roles_are_confirmed_with_the_word_delete(self, student_client, student):
        page = text(student_client.get(reverse("console:role-delete"), {"role": ["A", "B"]}))
        assert "Delete 2 roles?" in page
        assert "enter “delete”" in page

    def test_nothing_selected_says_so(self, student_client):
        page = text(student_client.get(reverse("console:role-delete")))
        assert "Select at least one role." in page

    def test_the_confirmation_page_deletes_nothing(self, student_client, student):
        make_role(student, "OldRole")
        student_client.get(reverse("console:role-delete"), {"role": "OldRole"})
        assert "OldRole" in role_names(student)


@pytest.mark.django_db
class RoleDeleteTests:
    def test_the_wrong_name_deletes_nothing_and_says_why(self, student_client, student):
        make_role(student, "OldRole")
        response = _delete(student_client, ["OldRole"], "oldrole")
        assert response.status_code == 200
        assert "Enter the role name to confirm the deletion." in text(response)
        assert "OldRole" in role_names(student)

    def test_the_right_name_deletes_the_role(self, student_client, student):
        make_role(student, "OldRole")
        response = _delete(student_client, ["OldRole"], "OldRole")
        assert response.status_code == 302
        assert response["Location"] == reverse("console:role-list")
        assert "OldRole" not in role_names(student)

    def test_htmx_is_sent_back_to_the_list(self, student_client, student):
        make_role(student, "OldRole")
        response = _delete(student_client, ["OldRole"], "OldRole", headers=HTMX)
        assert response["HX-Redirect"] == reverse("console:role-list")

    def test_the_list_says_the_role_was_deleted(self, student_client, student):
        make_role(student, "OldRole")
        _delete(student_client, ["OldRole"], "OldRole")
        assert "Role OldRole deleted." in text(_list(student_client))

    def test_policies_and_instance_profiles_are_removed_first(self, student_client, student):
        make_role(student, "Ec2Role", trust=EC2_TRUST)
        who = identity(student)
        iam_call(who, "AttachRolePolicy", {"RoleName": "Ec2Role", "PolicyArn": READ_ONLY})
        iam_call(who, "PutRolePolicy", {"RoleName": "Ec2Role", "PolicyName": "extra", "PolicyDocument": json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})})
        iam_call(who, "CreateInstanceProfile", {"InstanceProfileName": "Ec2Role"})
        iam_call(who, "AddRoleToInstanceProfile", {"InstanceProfileName": "Ec2Role", "RoleName": "Ec2Role"})
        _delete(student_client, ["Ec2Role"], "Ec2Role")
        assert "Ec2Role" not in role_names(student)

    def test_the_instance_profile_of_the_same_name_goes_too(self, student_client, student):
        make_role(student, "Ec2Role", trust=EC2_TRUST)
        who = identity(student)
        iam_call(who, "CreateInstanceProfile", {"InstanceProfileName": "Ec2Role"})
        iam_call(who, "AddRoleToInstanceProfile", {"InstanceProfileName": "Ec2Role", "RoleName": "Ec2Role"})
        _delete(student_client, ["Ec2Role"], "Ec2Role")
        profiles = iam_call(who, "ListInstanceProfiles")["InstanceProfiles"]
        assert [profile["InstanceProfileName"] for profile in profiles] == []

    def test_several_roles_are_deleted_with_the_word_delete(self, student_client, student):
        make_role(student, "RoleA")
        make_role(student, "RoleB")
        _delete(student_client, ["RoleA", "RoleB"], "delete")
        assert not {"RoleA", "RoleB"} & role_names(student)

    def test_a_role_that_is_not_there_shows_aws_error(self, student_client):
        response = _delete(student_client, ["Ghost"], "Ghost", headers=HTMX)
        page = text(response)
        assert response.status_code == 200
        assert "NoSuchEntity" in page
        assert page.strip().startswith('<dialog id="role-delete-dialog"')

    def test_another_learners_role_cannot_be_deleted(self, client, student, other_student):
        make_role(other_student, "TheirRole")
        client.force_login(student)
        _delete(client, ["TheirRole"], "TheirRole")
        assert "TheirRole" in role_names(other_student)

    def test_a_malformed_role_name_is_not_sent(self, student_client):
        response = _delete(student_client, ["bad name!"], "bad name!")
        assert "Select at least one role." in text(response)

    def test_a_switched_to_role_without_permissions_sees_iams_refusal(self, client, student):
        from tests.console.role_pages_helpers import switch_to_powerless_role

        make_role(student, "Victim")
        client.force_login(student)
        switch_to_powerless_role(client, student)
        response = _delete(client, ["Victim"], "Victim")
        assert response.status_code == 200
        assert "AccessDenied" in text(response)
        assert "Victim" in role_names(student)

    def test_a_managed_policy_stays_attached_when_deletion_is_refused(self, client, student):
        from tests.console.role_pages_helpers import switch_to_powerless_role

        make_role(student, "Victim")
        iam_call(identity(student), "AttachRolePolicy", {"RoleName": "Victim", "PolicyArn": READ_ONLY})
        client.force_login(student)
        switch_to_powerless_role(client, student)
        _delete(client, ["Victim"], "Victim")
        assert attached(student, "Victim") == [READ_ONLY]
