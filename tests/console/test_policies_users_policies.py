"""IAM > Policies pages: list, detail and versions, create and edit with the validating editor, delete, isolation."""
from __future__ import annotations

import html
import json

import pytest
from django.urls import reverse

from console.forms_policies_users import POLICY_DOCUMENT_MAX
from console.selectors.policies import PAGE_SIZE
from console.services.policies import POLICY_ATTACHED
from sandbox.api import iam_call
from tests.console.policies_users_helpers import (
    ADMIN,
    BROKEN_DOC,
    HTMX,
    READ_DOC,
    READ_ONLY,
    S3_DOC,
    create_policy,
    create_user,
    identity_of,
    page,
    policy_arn,
)

pytestmark = pytest.mark.django_db


def _list(client, headers=None, **params):
    return client.get(reverse("console:policy-list"), params, headers=headers or {})


def _detail(client, arn, headers=None, **params):
    return client.get(reverse("console:policy-detail", args=[arn]), params, headers=headers or {})


def _create(client, headers=None, **fields):
    data = {"policy_name": "S3Admin", "description": "", "document": S3_DOC, **fields}
    return client.post(reverse("console:policy-create"), data, headers=headers or {})


def _versions(user, arn):
    return iam_call(identity_of(user), "ListPolicyVersions", {"PolicyArn": arn})["Versions"]


class PolicyListTests:
    def test_full_page_lists_aws_managed_policies(self, student_client):
        text = page(_list(student_client))
        assert "<html" in text
        assert 'id="policy-table"' in text
        assert "AdministratorAccess" in text

    def test_htmx_gets_only_the_table_fragment(self, student_client):
        response = _list(student_client, headers=HTMX, q="admin")
        text = page(response)
        assert "<html" not in text
        assert text.strip().startswith('<div id="policy-table">')
        assert "HX-Request" in response["Vary"]

    def test_customer_managed_filter_shows_only_the_accounts_policies(self, student, student_client):
        create_policy(student, "MyPolicy")
        text = page(_list(student_client, scope="Local"))
        assert "MyPolicy" in text
        assert "AdministratorAccess" not in text

    def test_aws_managed_filter_hides_customer_policies(self, student, student_client):
        create_policy(student, "MyPolicy")
        text = page(_list(student_client, scope="AWS"))
        assert "MyPolicy" not in text
        assert "AWS managed" in text

    def test_search_matches_names_case_insensitively(self, student_client):
        text = page(_list(student_client, q="readonlyaccess"))
        assert ">ReadOnlyAccess<" in text
        assert ">AdministratorAccess<" not in text

    def test_attached_only_shows_the_learners_administrator_policy(self, student_client):
        text = page(_list(student_client, only_attached="on"))
        assert ">AdministratorAccess<" in text
        assert ">ReadOnlyAccess<" not in text

    def test_pages_hold_page_size_rows_and_link_the_next_page(self, student_client):
        text = page(_list(student_client))
        assert text.count('data-testid="policy-row"') == PAGE_SIZE
        assert 'rel="next"' in text

    def test_second_page_differs_from_the_first(self, student_client):
        first = page(_list(student_client, headers=HTMX))
        second = page(_list(student_client, headers=HTMX, page=2))
        assert first != second
        assert "Page 2 of" in second

    @pytest.mark.parametrize("bad", [{"page": "abc"}, {"page": "-3"}, {"scope": "Everything"}, {"q": "x" * 500}])
    def test_bad_filter_values_fall_back_to_defaults(self, student_client, bad):
        assert _list(student_client, **bad).status_code == 200

    def test_a_page_past_the_end_shows_the_last_page(self, student_client):
        text = page(_list(student_client, q="ReadOnlyAccess", page=99))
        assert ">ReadOnlyAccess<" in text

    def test_sign_in_required(self, client):
        assert _list(client).status_code == 302


class PolicyValidateTests:
    def test_answers_with_the_findings_fragment(self, student_client):
        response = student_client.post(reverse("console:policy-validate"), {"document": S3_DOC}, headers=HTMX)
        text = page(response)
        assert text.strip().startswith('<div id="policy-findings"')
        assert "No errors, warnings or suggestions." in text

    def test_an_error_is_placed_at_its_line(self, student_client):
        text = page(student_client.post(reverse("console:policy-validate"), {"document": BROKEN_DOC}, headers=HTMX))
        assert "Errors: 1" in text
        assert 'data-line="4"' in text

    def test_a_warning_is_listed_as_a_warning(self, student_client):
        document = '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
        text = page(student_client.post(reverse("console:policy-validate"), {"document": document}, headers=HTMX))
        assert "Warnings: 1" in text

    def test_an_oversized_document_is_not_a_server_error(self, student_client):
        document = "x" * (POLICY_DOCUMENT_MAX + 1)
        response = student_client.post(reverse("console:policy-validate"), {"document": document}, headers=HTMX)
        assert response.status_code == 200
        assert "at most" in page(response)

    def test_get_is_not_allowed(self, student_client):
        assert student_client.get(reverse("console:policy-validate")).status_code == 405


class PolicyCreateTests:
    def test_form_page_starts_with_aws_default_document(self, student_client):
        text = page(student_client.get(reverse("console:policy-create")))
        assert 'id="policy-form"' in text
        assert "Statement1" in text
        assert 'id="policy-findings"' in text

    def test_plain_post_creates_and_redirects_to_the_policy(self, student, student_client):
        response = _create(student_client)
        assert response.status_code == 302
        assert response["Location"] == reverse("console:policy-detail", args=[policy_arn(student, "S3Admin")])

    def test_htmx_post_answers_with_hx_redirect(self, student, student_client):
        response = _create(student_client, headers=HTMX)
        assert response["HX-Redirect"] == reverse("console:policy-detail", args=[policy_arn(student, "S3Admin")])

    def test_description_is_stored(self, student, student_client):
        _create(student_client, description="Full S3 access")
        arn = policy_arn(student, "S3Admin")
        assert iam_call(identity_of(student), "GetPolicy", {"PolicyArn": arn})["Policy"]["Description"] == (
            "Full S3 access")

    def test_malformed_document_keeps_the_text_and_says_where(self, student_client):
        response = _create(student_client, document=BROKEN_DOC, headers=HTMX)
        text = page(response)
        assert response.status_code == 200
        assert text.strip().startswith('<form id="policy-form"')
        assert "MalformedPolicyDocument" in text
        assert 'data-line="4"' in text
        assert html.escape(BROKEN_DOC) in text

    @pytest.mark.parametrize("name", ["has space", "x" * 129, "ümlaut", ""])
    def test_bad_names_are_refused_with_the_text_kept(self, student_client, name):
        response = _create(student_client, policy_name=name, document=READ_DOC)
        text = page(response)
        assert response.status_code == 200
        assert 'class="field-error"' in text
        assert html.escape(READ_DOC) in text

    def test_duplicate_name_is_a_name_error(self, student, student_client):
        create_policy(student, "S3Admin")
        text = page(_create(student_client))
        assert "EntityAlreadyExists" in text

    def test_description_over_1000_characters_is_refused(self, student_client):
        assert "at most 1000" in page(_create(student_client, description="d" * 1001))


class PolicyDetailTests:
    def test_aws_managed_policy_is_read_only(self, student_client):
        text = page(_detail(student_client, READ_ONLY))
        assert 'data-testid="policy-type">AWS managed' in text
        assert reverse("console:policy-edit", args=[READ_ONLY]) not in text
        assert reverse("console:policy-delete", args=[READ_ONLY]) not in text

    def test_shows_the_default_version_pretty_printed(self, student, student_client):
        arn = create_policy(student, description="full access")
        text = page(_detail(student_client, arn))
        assert html.escape('"Action": "s3:*"') in text
        assert "full access" in text

    def test_customer_policy_has_edit_and_delete(self, student, student_client):
        arn = create_policy(student)
        text = page(_detail(student_client, arn))
        assert reverse("console:policy-edit", args=[arn]) in text
        assert reverse("console:policy-delete", args=[arn]) in text

    def test_htmx_tab_is_the_tabs_fragment(self, student, student_client):
        arn = create_policy(student)
        response = _detail(student_client, arn, headers=HTMX, tab="versions")
        text = page(response)
        assert text.strip().startswith('<section id="policy-tabs"')
        assert 'aria-selected="true"' in text
        assert "HX-Request" in response["Vary"]

    def test_versions_tab_lists_versions_with_the_default_marked(self, student, student_client):
        arn = create_policy(student)
        iam_call(identity_of(student), "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": READ_DOC})
        text = page(_detail(student_client, arn, tab="versions"))
        assert text.count('data-testid="policy-version"') == 2
        assert "Set as default" in text

    def test_a_version_can_be_viewed(self, student, student_client):
        arn = create_policy(student)
        iam_call(identity_of(student), "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": READ_DOC})
        text = page(_detail(student_client, arn, version="v2"))
        assert "s3:GetObject" in text

    def test_entities_tab_lists_attached_users(self, student, student_client):
        arn = create_policy(student)
        create_user(student, "bob")
        iam_call(identity_of(student), "AttachUserPolicy", {"UserName": "bob", "PolicyArn": arn})
        text = page(_detail(student_client, arn, tab="entities"))
        assert reverse("console:user-detail", args=["bob"]) in text

    def test_unknown_policy_is_404(self, student, student_client):
        assert _detail(student_client, policy_arn(student, "Nope")).status_code == 404

    def test_unknown_version_is_404(self, student, student_client):
        assert _detail(student_client, create_policy(student), version="v9").status_code == 404

    @pytest.mark.parametrize("arn", ["not-an-arn", "arn:aws:iam::12:policy/x", "arn:aws:s3:::bucket"])
    def test_malformed_arn_is_404(self, student_client, arn):
        assert _detail(student_client, arn).status_code == 404

    def test_another_learners_policy_shows_nothing_of_theirs(self, student_client, other_student):
        arn = create_policy(other_student, "TheirSecretPolicy", description="their private notes")
        response = _detail(student_client, arn)
        text = page(response)
        assert response.status_code in (403, 404)
        assert "their private notes" not in text
        assert "s3:*" not in text


class PolicyEditTests:
    def _edit(self, client, arn, headers=None, **fields):
        return client.post(reverse("console:policy-edit", args=[arn]), {"document": READ_DOC, **fields},
                           headers=headers or {})

    def test_form_is_prefilled_with_the_default_version(self, student, student_client):
        arn = create_policy(student)
        text = page(student_client.get(reverse("console:policy-edit", args=[arn])))
        assert html.escape('"s3:*"') in text

    def test_save_creates_a_new_default_version(self, student, student_client):
        arn = create_policy(student)
        response = self._edit(student_client, arn)
        assert response.status_code == 302
        versions = {v["VersionId"]: v["IsDefaultVersion"] for v in _versions(student, arn)}
        assert versions == {"v1": False, "v2": True}

    def test_htmx_save_answers_with_hx_redirect(self, student, student_client):
        arn = create_policy(student)
        response = self._edit(student_client, arn, headers=HTMX)
        assert response["HX-Redirect"] == reverse("console:policy-detail", args=[arn])

    def test_malformed_document_is_refused_with_the_text_kept(self, student, student_client):
        arn = create_policy(student)
        response = self._edit(student_client, arn, headers=HTMX, document=BROKEN_DOC)
        text = page(response)
        assert text.strip().startswith('<form id="policy-form"')
        assert "MalformedPolicyDocument" in text
        assert html.escape(BROKEN_DOC) in text

    def test_aws_managed_policy_cannot_be_changed(self, student_client):
        response = self._edit(student_client, READ_ONLY)
        text = page(response)
        assert response.status_code == 200
        assert "AccessDenied" in text
        assert html.escape(READ_DOC) in text

    def test_sixth_version_shows_limit_exceeded_and_offers_the_oldest(self, student, student_client):
        arn = self._five_versions(student)
        text = page(self._edit(student_client, arn))
        assert "LimitExceeded" in text
        assert 'name="delete_version" value="v1"' in text
        assert html.escape(READ_DOC) in text

    def test_deleting_the_oldest_version_then_saving(self, student, student_client):
        arn = self._five_versions(student)
        response = self._edit(student_client, arn, delete_version="v1")
        assert response.status_code == 302
        versions = {v["VersionId"]: v["IsDefaultVersion"] for v in _versions(student, arn)}
        assert "v1" not in versions
        assert versions["v6"] is True

    def test_a_broken_document_does_not_cost_a_version(self, student, student_client):
        arn = self._five_versions(student)
        self._edit(student_client, arn, delete_version="v1", document=BROKEN_DOC)
        assert len(_versions(student, arn)) == 5

    def test_bad_version_id_is_a_form_error(self, student, student_client):
        arn = create_policy(student)
        response = self._edit(student_client, arn, delete_version="latest")
        assert response.status_code == 200
        assert len(_versions(student, arn)) == 1

    @staticmethod
    def _five_versions(student):
        arn = create_policy(student)
        for _ in range(4):
            iam_call(identity_of(student), "CreatePolicyVersion",
                     {"PolicyArn": arn, "PolicyDocument": S3_DOC, "SetAsDefault": True})
        return arn


class PolicyVersionActionTests:
    def _two_versions(self, student):
        arn = create_policy(student)
        iam_call(identity_of(student), "CreatePolicyVersion",
                 {"PolicyArn": arn, "PolicyDocument": READ_DOC, "SetAsDefault": True})
        return arn

    def test_set_as_default(self, student, student_client):
        arn = self._two_versions(student)
        response = student_client.post(reverse("console:policy-version-default", args=[arn]), {"version_id": "v1"})
        assert response["Location"] == reverse("console:policy-detail", args=[arn]) + "?tab=versions"
        assert {v["VersionId"] for v in _versions(student, arn) if v["IsDefaultVersion"]} == {"v1"}

    def test_delete_a_non_default_version(self, student, student_client):
        arn = self._two_versions(student)
        student_client.post(reverse("console:policy-version-delete", args=[arn]), {"version_id": "v1"})
        assert [v["VersionId"] for v in _versions(student, arn)] == ["v2"]

    def test_deleting_the_default_version_shows_iams_refusal(self, student, student_client):
        arn = self._two_versions(student)
        response = student_client.post(reverse("console:policy-version-delete", args=[arn]), {"version_id": "v2"},
                                       follow=True)
        assert "DeleteConflict" in page(response)
        assert len(_versions(student, arn)) == 2

    def test_htmx_action_comes_back_as_the_tabs_fragment(self, student, student_client):
        arn = self._two_versions(student)
        response = student_client.post(reverse("console:policy-version-default", args=[arn]), {"version_id": "v1"},
                                       headers=HTMX, follow=True)
        text = page(response)
        assert text.strip().startswith('<section id="policy-tabs"')
        assert "Version v1 is now the default version." in text

    def test_bad_version_id_changes_nothing(self, student, student_client):
        arn = self._two_versions(student)
        student_client.post(reverse("console:policy-version-delete", args=[arn]), {"version_id": "../x"})
        assert len(_versions(student, arn)) == 2

    def test_aws_managed_versions_cannot_be_changed(self, student_client):
        response = student_client.post(reverse("console:policy-version-default", args=[READ_ONLY]),
                                       {"version_id": "v1"}, follow=True)
        assert "AccessDenied" in page(response)


class PolicyDeleteTests:
    def _delete(self, client, arn, confirm):
        return client.post(reverse("console:policy-delete", args=[arn]), {"confirm": confirm})

    def test_confirmation_page(self, student, student_client):
        arn = create_policy(student)
        text = page(student_client.get(reverse("console:policy-delete", args=[arn])))
        assert "To confirm deletion" in text

    def test_wrong_name_deletes_nothing(self, student, student_client):
        arn = create_policy(student)
        response = self._delete(student_client, arn, "S3admin")
        assert response.status_code == 200
        assert iam_call(identity_of(student), "GetPolicy", {"PolicyArn": arn})

    def test_attached_policy_shows_delete_conflict(self, student, student_client):
        arn = create_policy(student)
        create_user(student, "bob")
        iam_call(identity_of(student), "AttachUserPolicy", {"UserName": "bob", "PolicyArn": arn})
        text = page(self._delete(student_client, arn, "S3Admin"))
        assert f"DeleteConflict: {POLICY_ATTACHED}" in text
        assert iam_call(identity_of(student), "GetPolicy", {"PolicyArn": arn})

    def test_delete_with_several_versions(self, student, student_client):
        arn = create_policy(student)
        iam_call(identity_of(student), "CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": READ_DOC})
        response = self._delete(student_client, arn, "S3Admin")
        assert response["Location"] == reverse("console:policy-list")
        assert ">S3Admin<" not in page(_list(student_client, scope="Local"))

    def test_aws_managed_policy_cannot_be_deleted(self, student_client):
        text = page(self._delete(student_client, ADMIN, "AdministratorAccess"))
        assert "AccessDenied" in text


class DeniedInFormTests:
    """A role session without write permissions: IAM's denial and the engine's "Why?" appear in the form."""

    @pytest.fixture
    def read_only_session(self, student, student_client):
        identity = identity_of(student)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": identity.arn}, "Action": "sts:AssumeRole"}]})
        iam_call(identity, "CreateRole", {"RoleName": "Reader", "AssumeRolePolicyDocument": trust})
        iam_call(identity, "AttachRolePolicy", {"RoleName": "Reader", "PolicyArn": READ_ONLY})
        response = student_client.post(reverse("console:switch-role"),
                                       {"account": identity.account_id, "role_name": "Reader"})
        assert response.status_code == 302
        return student_client

    def test_listing_is_allowed(self, read_only_session):
        assert _list(read_only_session, q="ReadOnly").status_code == 200

    def test_create_is_denied_with_the_reason_and_the_text_kept(self, read_only_session):
        response = _create(read_only_session, document=READ_DOC)
        text = page(response)
        assert response.status_code == 200
        assert "AccessDenied" in text
        assert "Why?" in text
        assert html.escape(READ_DOC) in text
