"""The role page's Trust relationships tab (edit, review the diff, update) and Tags tab (add, edit, remove)."""
from __future__ import annotations

import html
import json

import pytest
from django.urls import reverse

from sandbox.api import iam_call
from tests.console.role_pages_helpers import HTMX, get_role, identity, make_role, text

BROKEN = '{\n    "Version": "2012-10-17",\n    "Statement": [\n'


@pytest.fixture
def role(student):
    make_role(student, "AppRole")
    return "AppRole"


def _trust_with_external_id(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}}}]}, indent=4)


def _trust(client, headers=None, **data):
    url = reverse("console:role-trust-edit", args=["AppRole"])
    return client.post(url, data, headers=headers or {}) if data else client.get(url, headers=headers or {})


def _tags(client, keys, values, action="save", headers=None):
    url = reverse("console:role-tags-edit", args=["AppRole"])
    return client.post(url, {"tag_key": keys, "tag_value": values, "action": action}, headers=headers or {})


def _role_tags(user) -> dict[str, str]:
    answer = iam_call(identity(user), "ListRoleTags", {"RoleName": "AppRole"})
    return {tag["Key"]: tag["Value"] for tag in answer["Tags"]}


@pytest.mark.django_db
class TrustPolicyEditTests:
    def test_the_editor_is_a_full_page_without_javascript(self, student_client, role):
        page = text(_trust(student_client))
        assert "<html" in page
        assert "Edit trust policy" in page
        assert "sts:AssumeRole" in page

    def test_htmx_gets_the_trust_panel_with_the_editor(self, student_client, role):
        page = text(_trust(student_client, headers=HTMX))
        assert page.strip().startswith('<div id="panel-trust"')
        assert 'name="policy_document"' in page

    def test_review_shows_the_diff_and_saves_nothing(self, student, student_client, role):
        proposed = _trust_with_external_id(identity(student).account_id)
        page = text(_trust(student_client, policy_document=proposed, action="review"))
        assert 'data-testid="trust-diff"' in page
        assert '<span class="rp-diff-added">+ ' in page
        assert "partner-42" in page
        assert "ExternalId" not in get_role(student, "AppRole")["AssumeRolePolicyDocument"]

    def test_review_offers_update_policy_with_the_reviewed_text(self, student, student_client, role):
        proposed = _trust_with_external_id(identity(student).account_id)
        page = text(_trust(student_client, policy_document=proposed, action="review"))
        assert "Update policy" in page
        assert f'name="reviewed" value="{html.escape(proposed)}"' in page

    def test_update_policy_saves_the_reviewed_text(self, student, student_client, role):
        proposed = _trust_with_external_id(identity(student).account_id)
        response = _trust(student_client, policy_document=proposed, reviewed=proposed, action="save")
        assert response.status_code == 302
        assert response["Location"] == reverse("console:role-detail", args=["AppRole"]) + "?tab=trust"
        assert "partner-42" in get_role(student, "AppRole")["AssumeRolePolicyDocument"]

    def test_htmx_update_answers_with_the_trust_panel_and_a_notice(self, student, student_client, role):
        proposed = _trust_with_external_id(identity(student).account_id)
        page = text(_trust(student_client, headers=HTMX, policy_document=proposed, reviewed=proposed, action="save"))
        assert page.strip().startswith('<div id="panel-trust"')
        assert "Trust policy updated." in page
        assert "partner-42" in page

    def test_text_changed_after_the_review_is_reviewed_again(self, student, student_client, role):
        proposed = _trust_with_external_id(identity(student).account_id)
        changed = proposed.replace("partner-42", "partner-43")
        page = text(_trust(student_client, policy_document=changed, reviewed=proposed, action="save"))
        assert 'data-testid="trust-diff"' in page
        assert "partner-4" not in get_role(student, "AppRole")["AssumeRolePolicyDocument"]

    def test_an_unchanged_policy_says_there_are_no_changes(self, student, student_client, role):
        current = get_role(student, "AppRole")["AssumeRolePolicyDocument"]
        page = text(_trust(student_client, policy_document=current, action="review"))
        assert "No changes" in page

    def test_broken_json_is_kept_and_placed_at_its_line(self, student, student_client, role):
        response = _trust(student_client, policy_document=BROKEN, action="review", headers=HTMX)
        page = text(response)
        assert response.status_code == 200
        assert html.escape(BROKEN) in page
        assert "Ln " in page
        assert 'data-testid="trust-diff"' not in page

    def test_a_trust_policy_with_a_resource_is_refused(self, student, student_client, role):
        document = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Resource": "*"}]})
        page = text(_trust(student_client, policy_document=document, reviewed=document, action="save"))
        assert "rp-severity-error" in page
        assert "ec2" not in get_role(student, "AppRole")["AssumeRolePolicyDocument"]

    def test_a_principal_that_does_not_exist_shows_aws_error(self, student, student_client, role):
        account_id = identity(student).account_id
        document = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:role/Nobody"},
            "Action": "sts:AssumeRole"}]})
        page = text(_trust(student_client, policy_document=document, reviewed=document, action="save"))
        assert "MalformedPolicyDocument: Invalid principal in policy" in html.unescape(page)

    def test_live_validation_answers_with_the_findings_only(self, student_client, role):
        page = text(_trust(student_client, headers=HTMX, policy_document=BROKEN, action="validate"))
        assert page.strip().startswith('<div id="trust-findings"')
        assert "rp-severity-error" in page

    def test_security_warnings_are_shown_without_blocking(self, student_client, role):
        document = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]},
            indent=4)
        page = text(_trust(student_client, policy_document=document, action="review"))
        assert "rp-severity-security_warning" in page
        assert 'data-testid="trust-diff"' in page

    def test_an_oversized_document_is_refused_with_a_message(self, student_client, role):
        page = text(_trust(student_client, policy_document="x" * 131073, action="review"))
        assert "Ensure this value has at most 131072 characters" in page

    def test_the_trust_tab_lists_the_trusted_entities(self, student, student_client, role):
        page = text(student_client.get(reverse("console:role-detail", args=["AppRole"]), {"tab": "trust"},
                                       headers=HTMX))
        assert f"Account: {identity(student).account_id}" in page


@pytest.mark.django_db
class TagsEditTests:
    def test_the_editor_is_a_full_page_without_javascript(self, student_client, role):
        page = text(student_client.get(reverse("console:role-tags-edit", args=["AppRole"])))
        assert "<html" in page
        assert "Manage tags" in page
        assert page.count('name="tag_key"') == 1

    def test_htmx_gets_the_tags_panel(self, student_client, role):
        page = text(student_client.get(reverse("console:role-tags-edit", args=["AppRole"]), headers=HTMX))
        assert page.strip().startswith('<div id="panel-tags"')

    def test_add_tag_adds_an_empty_row(self, student_client, role):
        page = text(_tags(student_client, ["team"], ["blue"], action="add"))
        assert page.count('name="tag_key"') == 2
        assert 'value="team"' in page

    def test_add_tag_saves_nothing(self, student, student_client, role):
        _tags(student_client, ["team"], ["blue"], action="add")
        assert _role_tags(student) == {}

    def test_remove_drops_the_row(self, student_client, role):
        page = text(_tags(student_client, ["team", "env"], ["blue", "dev"], action="remove-0"))
        assert page.count('name="tag_key"') == 1
        assert 'value="env"' in page

    def test_save_tags_the_role(self, student, student_client, role):
        response = _tags(student_client, ["team", "env"], ["blue", ""])
        assert response.status_code == 302
        assert _role_tags(student) == {"team": "blue", "env": ""}

    def test_save_changes_and_removes_tags(self, student, student_client, role):
        _tags(student_client, ["team", "env"], ["blue", "dev"])
        _tags(student_client, ["team"], ["red"])
        assert _role_tags(student) == {"team": "red"}

    def test_empty_rows_are_ignored(self, student, student_client, role):
        _tags(student_client, ["team", ""], ["blue", ""])
        assert _role_tags(student) == {"team": "blue"}

    def test_htmx_save_answers_with_the_panel_and_a_notice(self, student_client, role):
        page = text(_tags(student_client, ["team"], ["blue"], headers=HTMX))
        assert page.strip().startswith('<div id="panel-tags"')
        assert "Tags saved." in page
        assert ">team<" in page

    def test_fifty_one_tags_are_refused(self, student, student_client, role):
        keys = [f"k{number}" for number in range(51)]
        response = _tags(student_client, keys, ["v"] * 51)
        assert response.status_code == 200
        assert "You can add up to 50 tags." in text(response)
        assert _role_tags(student) == {}

    def test_fifty_tags_are_accepted(self, student, student_client, role):
        keys = [f"k{number}" for number in range(50)]
        _tags(student_client, keys, ["v"] * 50)
        assert len(_role_tags(student)) == 50

    def test_add_tag_stops_at_fifty_rows(self, student_client, role):
        keys = [f"k{number}" for number in range(50)]
        page = text(_tags(student_client, keys, ["v"] * 50, action="add"))
        assert page.count('name="tag_key"') == 50
        assert "You can add up to 50 tags." in page

    @pytest.mark.parametrize(("key", "value", "message"), [
        ("k" * 129, "v", "Maximum 128 characters."),
        ("team", "v" * 257, "Maximum 256 characters."),
        ("", "orphan", "Enter a key."),
        ("aws:team", "v", "reserved for AWS use"),
        ("bad<key>", "v", "Use letters, numbers, spaces"),
    ])
    def test_a_bad_tag_is_refused_at_its_row(self, student, student_client, role, key, value, message):
        response = _tags(student_client, [key], [value])
        page = html.unescape(text(response))
        assert message in page
        assert 'class="rp-row-errors"' in text(response)
        assert _role_tags(student) == {}

    def test_keys_differing_only_in_case_are_duplicates(self, student, student_client, role):
        page = text(_tags(student_client, ["Team", "team"], ["a", "b"]))
        assert "Tag keys must be unique" in page
        assert _role_tags(student) == {}

    def test_the_learners_rows_are_kept_after_an_error(self, student_client, role):
        page = text(_tags(student_client, ["keep-me", "k" * 129], ["value-kept", "v"]))
        assert 'value="keep-me"' in page
        assert 'value="value-kept"' in page

    def test_a_malformed_remove_action_changes_nothing(self, student_client, role):
        page = text(_tags(student_client, ["team"], ["blue"], action="remove-x"))
        assert page.count('name="tag_key"') == 1
