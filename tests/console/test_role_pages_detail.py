"""The role page: summary, ARIA tabs (full page and htmx panels), Last accessed, isolation, denial, summary edit."""
from __future__ import annotations

import pytest
from django.urls import reverse

from sandbox.api import iam_call
from sandbox.errors import AccessDenied
from tests.console.role_pages_helpers import (
    EC2_TRUST,
    HTMX,
    LIST_ROLES,
    detail,
    get_role,
    identity,
    make_role,
    role_session,
    switch_to_powerless_role,
    text,
    visible_panels,
)

TABS = ["permissions", "trust", "tags", "last-accessed", "revoke"]


def _summary_edit(client, name, headers=None, **data):
    url = reverse("console:role-summary-edit", args=[name])
    if not data:
        return client.get(url, headers=headers or {})
    return client.post(url, data, headers=headers or {})


@pytest.mark.django_db
class RoleSummaryTests:
    def test_shows_the_arn_with_a_copy_button(self, student_client, student):
        arn = make_role(student, "AppRole")
        page = text(detail(student_client, "AppRole"))
        assert f'<span class="mono" id="role-arn">{arn}</span>' in page
        assert 'data-copy="role-arn"' in page

    def test_shows_the_maximum_session_duration(self, student_client, student):
        make_role(student, "AppRole")
        assert 'data-testid="max-session-duration">1 hour<' in text(detail(student_client, "AppRole"))

    def test_a_custom_duration_is_shown_in_seconds(self, student_client, student):
        make_role(student, "AppRole")
        iam_call(identity(student), "UpdateRole", {"RoleName": "AppRole", "MaxSessionDuration": 5400})
        assert 'data-testid="max-session-duration">5400 seconds<' in text(detail(student_client, "AppRole"))

    def test_shows_the_instance_profile_arn(self, student_client, student):
        make_role(student, "Ec2Role", trust=EC2_TRUST)
        who = identity(student)
        profile = iam_call(who, "CreateInstanceProfile", {"InstanceProfileName": "Ec2Role"})["InstanceProfile"]
        iam_call(who, "AddRoleToInstanceProfile", {"InstanceProfileName": "Ec2Role", "RoleName": "Ec2Role"})
        page = text(detail(student_client, "Ec2Role"))
        assert "Instance profile ARN" in page
        assert profile["Arn"] in page

    def test_a_role_without_instance_profile_shows_none(self, student_client, student):
        make_role(student, "AppRole")
        assert "Instance profile ARN" not in text(detail(student_client, "AppRole"))

    def test_keeps_the_switch_role_link(self, student_client, student):
        make_role(student, "AppRole")
        page = text(detail(student_client, "AppRole"))
        assert 'data-testid="switch-link"' in page
        assert "roleName=AppRole" in page


@pytest.mark.django_db
class RoleTabsTests:
    def test_the_page_has_an_aria_tablist_with_five_tabs(self, student_client, student):
        make_role(student, "AppRole")
        page = text(detail(student_client, "AppRole"))
        assert 'role="tablist"' in page
        assert page.count('role="tab" ') == 5
        assert page.count('role="tabpanel"') == 5

    def test_permissions_is_the_tab_shown_first(self, student_client, student):
        make_role(student, "AppRole")
        page = text(detail(student_client, "AppRole"))
        assert visible_panels(page) == ["panel-permissions"]
        assert 'aria-controls="panel-permissions" aria-selected="true"' in page

    @pytest.mark.parametrize("tab", TABS)
    def test_without_javascript_a_tab_is_a_link_to_the_page_showing_it(self, student_client, student, tab):
        make_role(student, "AppRole")
        page = text(detail(student_client, "AppRole", tab=tab))
        assert "<html" in page
        assert visible_panels(page) == [f"panel-{tab}"]

    @pytest.mark.parametrize("tab", TABS)
    def test_htmx_gets_only_the_panel(self, student_client, student, tab):
        make_role(student, "AppRole")
        page = text(detail(student_client, "AppRole", tab=tab, headers=HTMX))
        assert "<html" not in page
        assert page.strip().startswith(f'<div id="panel-{tab}"')

    def test_an_unknown_tab_shows_permissions(self, student_client, student):
        make_role(student, "AppRole")
        assert visible_panels(text(detail(student_client, "AppRole", tab="<script>"))) == ["panel-permissions"]

    def test_the_page_varies_on_htmx(self, student_client, student):
        make_role(student, "AppRole")
        assert "HX-Request" in detail(student_client, "AppRole")["Vary"]


@pytest.mark.django_db
class LastAccessedTests:
    @pytest.fixture
    def used_role(self, student):
        make_role(student, "UsedRole")
        iam_call(identity(student), "PutRolePolicy",
                 {"RoleName": "UsedRole", "PolicyName": "list", "PolicyDocument": LIST_ROLES})
        session = role_session(student, "UsedRole")
        iam_call(session, "ListRoles")
        return session

    def test_lists_the_services_the_sessions_called(self, student_client, used_role):
        page = text(detail(student_client, "UsedRole", tab="last-accessed", headers=HTMX))
        assert "AWS Identity and Access Management" in page
        assert "iam:ListRoles" in page

    def test_denied_attempts_count_too(self, student_client, used_role):
        with pytest.raises(AccessDenied):
            iam_call(used_role, "GetRole", {"RoleName": "UsedRole"})
        page = text(detail(student_client, "UsedRole", tab="last-accessed", headers=HTMX))
        assert "iam:GetRole" in page
        assert "<td>2</td>" in page

    def test_the_summary_shows_the_last_activity(self, student_client, used_role):
        page = text(detail(student_client, "UsedRole"))
        assert "Last activity</dt>\n    <dd><time" in page

    def test_a_role_never_used_was_not_accessed(self, student_client, student):
        make_role(student, "IdleRole")
        page = text(detail(student_client, "IdleRole", tab="last-accessed", headers=HTMX))
        assert "Not accessed in the tracking period" in page

    def test_the_learners_own_calls_are_not_the_roles(self, student_client, student):
        make_role(student, "IdleRole")
        detail(student_client, "IdleRole")  # GetRole & co. as the IAM user
        page = text(detail(student_client, "IdleRole", tab="last-accessed", headers=HTMX))
        assert "Not accessed in the tracking period" in page


@pytest.mark.django_db
class RoleIsolationTests:
    def test_another_learners_role_is_a_404(self, client, student, other_student):
        make_role(other_student, "TheirRole")
        client.force_login(student)
        assert detail(client, "TheirRole").status_code == 404

    def test_the_404_shows_nothing_of_theirs(self, client, student, other_student):
        arn = make_role(other_student, "TheirRole")
        client.force_login(student)
        page = text(detail(client, "TheirRole"))
        assert arn not in page
        assert identity(other_student).account_id not in page

    @pytest.mark.parametrize("route", ["role-summary-edit", "role-trust-edit", "role-tags-edit",
                                       "role-policies-attach", "role-boundary-set", "role-inline-policy-create"])
    def test_their_role_editors_are_404s(self, client, student, other_student, route):
        make_role(other_student, "TheirRole")
        client.force_login(student)
        assert client.get(reverse(f"console:{route}", args=["TheirRole"])).status_code == 404

    def test_their_role_cannot_be_tagged(self, client, student, other_student):
        make_role(other_student, "TheirRole")
        client.force_login(student)
        response = client.post(reverse("console:role-tags-edit", args=["TheirRole"]),
                               {"tag_key": ["owner"], "tag_value": ["me"], "action": "save"})
        assert response.status_code == 404
        assert get_role(other_student, "TheirRole").get("Tags", []) == []

    def test_their_inline_policy_is_a_404(self, client, student, other_student):
        make_role(other_student, "TheirRole")
        iam_call(identity(other_student), "PutRolePolicy",
                 {"RoleName": "TheirRole", "PolicyName": "theirs", "PolicyDocument": LIST_ROLES})
        client.force_login(student)
        url = reverse("console:role-inline-policy-edit", args=["TheirRole", "theirs"])
        assert client.get(url).status_code == 404


@pytest.mark.django_db
class SwitchedRoleDenialTests:
    """A switched-to role without IAM permissions gets IAM's refusal on the denial page, never a server error."""

    @pytest.fixture
    def powerless(self, client, student):
        make_role(student, "Target")
        client.force_login(student)
        client.raise_request_exception = False
        switch_to_powerless_role(client, student)
        return client

    def test_the_role_page_is_the_denial_page(self, powerless):
        response = detail(powerless, "Target")
        assert response.status_code == 403
        assert "have permission to perform this action." in text(response)
        assert "iam:GetRole" in text(response)

    def test_the_denial_says_why(self, powerless):
        assert 'data-testid="why"' in text(detail(powerless, "Target"))

    @pytest.mark.parametrize("route", ["role-trust-edit", "role-tags-edit", "role-policies-attach"])
    def test_an_editor_is_the_denial_page(self, powerless, route):
        response = powerless.get(reverse(f"console:{route}", args=["Target"]))
        assert response.status_code == 403
        assert 'data-testid="access-denied"' in text(response)

    def test_the_role_list_is_the_denial_page(self, powerless):
        response = powerless.get(reverse("console:role-list"))
        assert response.status_code == 403
        assert "iam:ListRoles" in text(response)


@pytest.mark.django_db
class SummaryEditTests:
    def test_the_edit_form_is_a_full_page_without_javascript(self, student_client, student):
        make_role(student, "AppRole")
        page = text(_summary_edit(student_client, "AppRole"))
        assert "<html" in page
        assert 'name="max_session_duration"' in page

    def test_htmx_gets_only_the_summary(self, student_client, student):
        make_role(student, "AppRole")
        page = text(_summary_edit(student_client, "AppRole", headers=HTMX))
        assert page.strip().startswith('<section id="role-summary"')
        assert '<option value="43200">12 hours</option>' in page

    def test_saving_changes_the_maximum_session_duration(self, student_client, student):
        make_role(student, "AppRole")
        response = _summary_edit(student_client, "AppRole", max_session_duration="7200", description="web app")
        assert response.status_code == 302
        assert get_role(student, "AppRole")["MaxSessionDuration"] == 7200

    def test_saving_changes_the_description(self, student_client, student):
        make_role(student, "AppRole")
        _summary_edit(student_client, "AppRole", max_session_duration="3600", description="web app")
        assert get_role(student, "AppRole")["Description"] == "web app"

    def test_htmx_save_shows_the_new_summary_with_a_notice(self, student_client, student):
        make_role(student, "AppRole")
        response = _summary_edit(student_client, "AppRole", headers=HTMX, max_session_duration="14400",
                                 description="")
        page = text(response)
        assert page.strip().startswith('<section id="role-summary"')
        assert "4 hours" in page
        assert "Role AppRole updated." in page

    @pytest.mark.parametrize("seconds", ["0", "1800", "46800", "3600.5", "twelve", ""])
    def test_a_duration_outside_one_to_twelve_hours_is_refused(self, student_client, student, seconds):
        make_role(student, "AppRole")
        response = _summary_edit(student_client, "AppRole", max_session_duration=seconds, description="")
        assert response.status_code == 200
        assert 'class="field-error"' in text(response)
        assert get_role(student, "AppRole")["MaxSessionDuration"] == 3600

    def test_a_description_over_1000_characters_is_refused(self, student_client, student):
        make_role(student, "AppRole")
        response = _summary_edit(student_client, "AppRole", max_session_duration="3600", description="d" * 1001)
        assert "Ensure this value has at most 1000 characters" in text(response)
        assert get_role(student, "AppRole").get("Description", "") == ""

    def test_the_learners_text_is_kept_after_an_error(self, student_client, student):
        make_role(student, "AppRole")
        page = text(_summary_edit(student_client, "AppRole", max_session_duration="99", description="keep me"))
        assert "keep me" in page


@pytest.mark.django_db
class RevokeTabTests:
    def test_htmx_without_acknowledgement_gets_the_panel_with_the_error(self, student_client, student):
        make_role(student, "AppRole")
        response = student_client.post(reverse("console:role-revoke-sessions", args=["AppRole"]), {}, headers=HTMX)
        assert response.status_code == 200
        assert text(response).strip().startswith('<div id="panel-revoke"')
        assert 'class="field-error"' in text(response)

    def test_htmx_revoke_gets_the_panel_with_a_notice(self, student_client, student):
        make_role(student, "AppRole")
        response = student_client.post(reverse("console:role-revoke-sessions", args=["AppRole"]),
                                       {"acknowledge": "on"}, headers=HTMX)
        assert "Active sessions for AppRole were revoked." in text(response)


@pytest.mark.django_db
class HistoryRestoreTests:
    """htmx restoring a pushed URL from history needs the whole page, not a fragment."""

    RESTORE = {**HTMX, "HX-History-Restore-Request": "true"}

    def test_the_role_page_is_whole(self, student_client, student):
        make_role(student, "AppRole")
        assert "<html" in text(detail(student_client, "AppRole", tab="tags", headers=self.RESTORE))

    def test_an_editor_url_is_a_whole_page(self, student_client, student):
        make_role(student, "AppRole")
        response = student_client.get(reverse("console:role-trust-edit", args=["AppRole"]), headers=self.RESTORE)
        assert "<html" in text(response)

    def test_the_role_list_is_whole(self, student_client):
        assert "<html" in text(student_client.get(reverse("console:role-list"), {"page": "1"}, headers=self.RESTORE))


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "args"), [
    ("role-delete", []), ("role-summary-edit", ["AppRole"]), ("role-policies-attach", ["AppRole"]),
    ("role-policy-detach", ["AppRole"]), ("role-boundary-set", ["AppRole"]), ("role-boundary-delete", ["AppRole"]),
    ("role-inline-policy-create", ["AppRole"]), ("role-inline-policy-edit", ["AppRole", "p"]),
    ("role-inline-policy-delete", ["AppRole", "p"]), ("role-trust-edit", ["AppRole"]), ("role-tags-edit", ["AppRole"]),
])
def test_a_signed_out_visitor_is_sent_to_sign_in(client, route, args):
    response = client.post(reverse(f"console:{route}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin"))
