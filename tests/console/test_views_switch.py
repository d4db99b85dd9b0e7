"""Switch role, switch back, role history, session expiry, CloudTrail records, and Revoke active sessions."""
from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from console.switch_state import HISTORY_KEY, HISTORY_MAX, SWITCHED_KEY
from sandbox import provisioning, roles
from sandbox.authorize import authorize
from sandbox.clock import clock_advance
from sandbox.errors import AccessDenied
from sandbox.events import event_cloudtrail_record
from sandbox.models import Event, Sandbox, StsSession
from sandbox.moto_store import account_reader, account_writer
from sandbox.sts.assume_role import assume_role
from sandbox.sts.revoke import POLICY_NAME, revoke_role_sessions
from sandbox.sts.switch_role import AWS_INTERNAL, COLORS, CONSOLE_SESSION_SECONDS, INVALID_FIELDS, switch_role

ORGANIZATION_ACCESS_ROLE = provisioning.ORGANIZATION_ACCESS_ROLE
EXPIRED = "Your role session has expired. You are back to your IAM user."


def _switch(client, **fields):
    data = {"account": "dev", "role_name": ORGANIZATION_ACCESS_ROLE, "display_name": "Dev admin", "color": "green",
            **fields}
    return client.post(reverse("console:switch-role"), data)


def _accounts(user) -> dict[str, str]:
    """The learner's account ids by alias (`management`, `dev`, `prod`), provisioning the sandbox if needed."""
    sandbox = provisioning.sandbox_provision(user=user)
    return {account.alias: account.account_id for account in sandbox.accounts.all()}


def _home(client) -> str:
    return client.get(reverse("console:home")).content.decode()


def _identity_arn(page: str) -> str:
    return html.unescape(re.search(r'data-testid="identity-arn">([^<]*)<', page).group(1))


def _session_arn(account_id: str, user_name: str = "student1") -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{ORGANIZATION_ACCESS_ROLE}/{user_name}"


def _user_arn(account_id: str, user_name: str = "student1") -> str:
    return f"arn:aws:iam::{account_id}:user/{user_name}"


def _trust(account_id: str, condition: dict | None = None) -> str:
    statement: dict = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                       "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _home_role(user, name: str, condition: dict | None = None) -> str:
    """A role in the learner's home account trusting that account; returns its name."""
    identity = provisioning.learner_identity(user=user)
    roles.role_create(identity=identity, role_name=name, trust_policy=_trust(identity.account_id, condition))
    return name


def _alerts(response) -> list[str]:
    """The texts of the page's alerts (form errors), to compare with the generic message."""
    found = re.findall(r'role="alert">(.*?)</(?:div|p)>', response.content.decode(), re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def _role_colour(page: str) -> str:
    return re.search(r'--role-color: ([^;"]*)', page).group(1)


def _field_value(page: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def _unswitched(client) -> bool:
    return SWITCHED_KEY not in client.session


@pytest.fixture
def accounts(student):
    return _accounts(student)


@pytest.mark.django_db
class SwitchRoleTests:
    def test_switching_by_alias_lands_on_the_home_page(self, student_client, accounts):
        response = _switch(student_client)
        assert response.status_code == 302
        assert response["Location"] == reverse("console:home")

    def test_switching_by_alias_makes_the_console_act_as_the_role_session(self, student_client, accounts):
        _switch(student_client)
        assert _identity_arn(_home(student_client)) == _session_arn(accounts["dev"])

    def test_switching_by_account_id_makes_the_console_act_as_the_role_session(self, student_client, accounts):
        _switch(student_client, account=accounts["dev"])
        assert _identity_arn(_home(student_client)) == _session_arn(accounts["dev"])

    def test_the_top_bar_shows_the_display_name(self, student_client, accounts):
        _switch(student_client)
        assert re.search(r'data-testid="active-role">Dev admin</summary>', _home(student_client))

    def test_the_top_bar_shows_the_chosen_colour(self, student_client, accounts):
        _switch(student_client, color="green")
        assert _role_colour(_home(student_client)) == f"#{COLORS['green']}"

    def test_without_a_display_name_the_top_bar_shows_role_at_account(self, student_client, accounts):
        _switch(student_client, display_name="")
        assert f'data-testid="active-role">{ORGANIZATION_ACCESS_ROLE} @ dev<' in _home(student_client)

    def test_the_home_page_shows_the_role_and_when_the_session_expires(self, student_client, accounts):
        _switch(student_client)
        page = _home(student_client)
        assert f'<dd class="mono">{ORGANIZATION_ACCESS_ROLE}</dd>' in page
        assert "Session expires" in page

    def test_the_session_is_named_after_the_iam_user_and_lasts_one_hour(self, student_client, accounts):
        _switch(student_client)
        session = StsSession.objects.get(access_key_id=student_client.session[SWITCHED_KEY]["key"])
        assert session.session_name == "student1"
        assert session.expires_at - session.issued_at == timedelta(seconds=CONSOLE_SESSION_SECONDS)
        assert session.via_console

    def test_the_role_list_shows_the_role_accounts_roles(self, student_client, student, accounts):
        _home_role(student, "HomeOnlyRole")
        _switch(student_client)
        page = student_client.get(reverse("console:role-list")).content.decode()
        assert f'href="{reverse("console:role-detail", args=[ORGANIZATION_ACCESS_ROLE])}"' in page
        assert "HomeOnlyRole" not in page

    def test_the_role_detail_shows_the_role_accounts_arn(self, student_client, accounts):
        _switch(student_client)
        page = student_client.get(reverse("console:role-detail", args=[ORGANIZATION_ACCESS_ROLE])).content.decode()
        assert f"arn:aws:iam::{accounts['dev']}:role/{ORGANIZATION_ACCESS_ROLE}" in page

    def test_switching_from_a_role_uses_the_users_own_credentials(self, student_client, accounts):
        _switch(student_client)
        _switch(student_client, account="prod", display_name="Prod admin")
        session = StsSession.objects.get(access_key_id=student_client.session[SWITCHED_KEY]["key"])
        assert session.account.account_id == accounts["prod"]
        assert not session.chained
        assert session.issued_to["arn"] == _user_arn(accounts["management"])

    def test_switching_from_a_role_still_gets_a_one_hour_session(self, student_client, accounts):
        _switch(student_client)
        _switch(student_client, account="prod")
        assert _identity_arn(_home(student_client)) == _session_arn(accounts["prod"])

    def test_a_signed_out_visitor_is_sent_to_sign_in(self, client):
        response = client.get(reverse("console:switch-role"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("signin"))


@pytest.mark.django_db
class SwitchRoleLinkTests:
    def test_the_link_query_prefills_the_form(self, student_client, accounts):
        query = {"account": accounts["dev"], "roleName": ORGANIZATION_ACCESS_ROLE, "displayName": "From link"}
        page = student_client.get(reverse("console:switch-role"), query).content.decode()
        assert _field_value(page, "account") == accounts["dev"]
        assert _field_value(page, "role_name") == ORGANIZATION_ACCESS_ROLE
        assert _field_value(page, "display_name") == "From link"

    @pytest.mark.parametrize("color", ["b7ca9d", "B7CA9D", "green"])
    def test_a_hex_colour_in_the_link_selects_its_name(self, student_client, color):
        page = student_client.get(reverse("console:switch-role"), {"color": color}).content.decode()
        assert '<option value="green" selected>' in page

    def test_an_unknown_colour_in_the_link_selects_none(self, student_client):
        page = student_client.get(reverse("console:switch-role"), {"color": "123456"}).content.decode()
        assert '<option value="" selected>' in page

    def test_the_role_detail_page_shows_a_link_that_prefills_the_switch(self, student_client, student, accounts):
        _home_role(student, "LinkedRole")
        page = student_client.get(reverse("console:role-detail", args=["LinkedRole"])).content.decode()
        assert "Link to switch roles in console" in page
        link = html.unescape(re.search(r'data-testid="switch-link"[^>]*>([^<]*)<', page).group(1))
        form = student_client.get(link).content.decode()
        assert _field_value(form, "role_name") == "LinkedRole"
        assert _field_value(form, "account") == accounts["management"]


    def test_the_link_of_a_role_with_a_path_names_the_path(self, student_client, student, accounts):
        identity = provisioning.learner_identity(user=student)
        roles.role_create(identity=identity, role_name="PathRole", trust_policy=_trust(identity.account_id),
                          path="/division_abc/")
        page = student_client.get(reverse("console:role-detail", args=["PathRole"])).content.decode()
        link = html.unescape(re.search(r'data-testid="switch-link"[^>]*>([^<]*)<', page).group(1))
        assert _field_value(student_client.get(link).content.decode(), "role_name") == "division_abc/PathRole"


@pytest.mark.django_db
class RefusedSwitchTests:
    def test_an_unknown_account_gives_the_generic_error(self, student_client, accounts):
        response = _switch(student_client, account="staging")
        assert response.status_code == 200
        assert _alerts(response) == [INVALID_FIELDS]
        assert _unswitched(student_client)

    def test_an_unknown_account_id_gives_the_generic_error(self, student_client, accounts):
        response = _switch(student_client, account="999999999999")
        assert _alerts(response) == [INVALID_FIELDS]
        assert _unswitched(student_client)

    def test_a_role_that_does_not_exist_gives_the_generic_error(self, student_client, accounts):
        response = _switch(student_client, role_name="NoSuchRole")
        assert response.status_code == 200
        assert _alerts(response) == [INVALID_FIELDS]
        assert _unswitched(student_client)

    def test_another_learners_account_id_gives_the_generic_error(self, student_client, other_student, accounts):
        response = _switch(student_client, account=_accounts(other_student)["dev"])
        assert _alerts(response) == [INVALID_FIELDS]
        assert _unswitched(student_client)

    def test_another_learners_account_gets_no_session_and_no_event(self, student_client, other_student, accounts):
        theirs = _accounts(other_student)["dev"]
        _switch(student_client, account=theirs)
        assert not StsSession.objects.filter(account__account_id=theirs).exists()
        assert not Event.objects.filter(account__account_id=theirs).exists()

    def test_a_display_name_over_64_characters_gives_the_generic_error(self, student_client, accounts):
        response = _switch(student_client, display_name="d" * 65)
        assert response.status_code == 200
        assert _alerts(response) == [INVALID_FIELDS]
        assert _unswitched(student_client)

    def test_a_display_name_of_64_characters_is_accepted(self, student_client, accounts):
        _switch(student_client, display_name="d" * 64)
        assert student_client.session[SWITCHED_KEY]["display_name"] == "d" * 64

    def test_a_role_requiring_an_external_id_says_the_console_cannot_pass_one(self, student_client, student, accounts):
        """AWS: roles that require an external ID cannot be switched to in the console (only API, CLI, SDK)."""
        _home_role(student, "PartnerRole", {"StringEquals": {"sts:ExternalId": "partner-42"}})
        response = _switch(student_client, account=accounts["management"], role_name="PartnerRole")
        assert _alerts(response)[0] == INVALID_FIELDS
        page = html.unescape(response.content.decode())
        assert "requires an external ID" in page and "--external-id" in page
        assert _unswitched(student_client)

    def test_the_switch_role_link_works_at_the_site_root_as_aws_writes_it(self, student_client, accounts):
        page = student_client.get("/switchrole", {"account": "dev", "roleName": "OrganizationAccountAccessRole",
                                                  "displayName": "Dev", "color": "b7ca9d"}).content.decode()
        assert 'value="OrganizationAccountAccessRole"' in page and 'value="green" selected' in page

    def test_a_path_and_name_over_64_characters_gives_the_generic_error(self, student_client, student, accounts):
        # AWS: the console cannot switch to a role whose path and name together pass 64 characters.
        identity = provisioning.learner_identity(user=student)
        name = "R" * 60
        roles.role_create(identity=identity, role_name=name, trust_policy=_trust(identity.account_id),
                          path="/division_abc/")
        response = _switch(student_client, account=accounts["management"], role_name=f"division_abc/{name}")
        assert _alerts(response) == [INVALID_FIELDS]
        assert _unswitched(student_client)

    def test_a_role_with_a_path_can_be_switched_to_with_its_path(self, student_client, student, accounts):
        identity = provisioning.learner_identity(user=student)
        roles.role_create(identity=identity, role_name="PathRole", trust_policy=_trust(identity.account_id),
                          path="/division_abc/")
        _switch(student_client, account=accounts["management"], role_name="division_abc/PathRole")
        assert _identity_arn(_home(student_client)).endswith(":assumed-role/PathRole/student1")

    def test_the_same_role_without_an_external_id_can_be_switched_to(self, student_client, student, accounts):
        _home_role(student, "PlainRole")
        _switch(student_client, account=accounts["management"], role_name="PlainRole")
        assert _identity_arn(_home(student_client)).endswith(":assumed-role/PlainRole/student1")

    def test_the_generic_error_does_not_say_which_field_was_wrong(self, student_client, accounts):
        page = _switch(student_client, role_name="NoSuchRole").content.decode()
        assert "AccessDenied" not in page
        assert "not authorized" not in page

    def test_a_refused_switch_keeps_the_active_role(self, student_client, accounts):
        _switch(student_client)
        _switch(student_client, role_name="NoSuchRole")
        assert _identity_arn(_home(student_client)) == _session_arn(accounts["dev"])

    def test_a_refused_switch_keeps_the_learners_text(self, student_client, accounts):
        page = _switch(student_client, account="staging", display_name="Staging admin").content.decode()
        assert _field_value(page, "account") == "staging"
        assert _field_value(page, "display_name") == "Staging admin"

    def test_a_refused_switch_is_not_added_to_the_history(self, student_client, accounts):
        _switch(student_client, role_name="NoSuchRole")
        assert student_client.session.get(HISTORY_KEY, []) == []


@pytest.mark.django_db
class LimitedRoleTests:
    """A switched-to role has only its own permissions: the console says what is denied, it does not crash."""

    def test_a_role_without_iam_list_roles_sees_the_denial_not_a_server_error(
        self, client, student, accounts
    ):
        _home_role(student, "NoIamRole")  # trusted by the account, but no permissions policy at all
        client.force_login(student)
        client.raise_request_exception = False
        _switch(client, account=accounts["management"], role_name="NoIamRole")
        response = client.get(reverse("console:role-list"))
        assert response.status_code != 500
        assert "iam:ListRoles" in response.content.decode()

    def test_a_revoked_console_session_sees_the_denial_not_a_server_error(self, client, student, accounts):
        client.force_login(student)
        client.raise_request_exception = False
        _switch(client)
        clock_advance(Sandbox.objects.get(owner=student), 2)
        later = switch_role(user_identity=provisioning.learner_identity(user=student), account="dev",
                            role_name=ORGANIZATION_ACCESS_ROLE)
        clock_advance(Sandbox.objects.get(owner=student), 2)
        revoke_role_sessions(identity=later.identity, role_name=ORGANIZATION_ACCESS_ROLE)
        response = client.get(reverse("console:role-list"))
        assert response.status_code != 500
        assert "iam:ListRoles" in response.content.decode()


@pytest.mark.django_db
class SwitchBackTests:
    def test_switch_back_restores_the_iam_user(self, student_client, accounts):
        _switch(student_client)
        response = student_client.post(reverse("console:switch-back"))
        assert response["Location"] == reverse("console:home")
        assert _identity_arn(_home(student_client)) == _user_arn(accounts["management"])

    def test_after_switching_back_the_top_bar_shows_the_user(self, student_client, accounts):
        _switch(student_client)
        student_client.post(reverse("console:switch-back"))
        page = _home(student_client)
        assert 'data-testid="active-role"' not in page
        assert f'<summary>student1 @ <span class="mono">{accounts["management"]}</span></summary>' in page

    def test_after_switching_back_the_roles_are_the_home_accounts(self, student_client, student, accounts):
        _home_role(student, "HomeOnlyRole")
        _switch(student_client)
        student_client.post(reverse("console:switch-back"))
        assert "HomeOnlyRole" in student_client.get(reverse("console:role-list")).content.decode()

    def test_switch_back_needs_a_post(self, student_client, accounts):
        _switch(student_client)
        assert student_client.get(reverse("console:switch-back")).status_code == 405
        assert not _unswitched(student_client)

    def test_the_menu_offers_switch_back_while_switched(self, student_client, accounts):
        _switch(student_client)
        assert "Switch back to student1" in _home(student_client)


@pytest.mark.django_db
class RoleHistoryTests:
    def test_the_history_lists_the_most_recent_first(self, student_client, accounts):
        _switch(student_client, display_name="First")
        _switch(student_client, account="prod", display_name="Second")
        names = [entry["display_name"] for entry in student_client.session[HISTORY_KEY]]
        assert names == ["Second", "First"]

    def test_the_history_keeps_at_most_five_roles(self, student_client, accounts):
        for number in range(1, HISTORY_MAX + 2):
            _switch(student_client, display_name=f"Role {number}")
        names = [entry["display_name"] for entry in student_client.session[HISTORY_KEY]]
        assert names == ["Role 6", "Role 5", "Role 4", "Role 3", "Role 2"]

    def test_switching_to_the_same_role_again_does_not_repeat_it(self, student_client, accounts):
        _switch(student_client)
        _switch(student_client, account="prod", display_name="Prod admin")
        _switch(student_client)
        names = [entry["display_name"] for entry in student_client.session[HISTORY_KEY]]
        assert names == ["Dev admin", "Prod admin"]

    def test_the_menu_lists_the_history_in_order(self, student_client, accounts):
        _switch(student_client, display_name="First")
        _switch(student_client, account="prod", display_name="Second")
        page = _home(student_client)
        buttons = re.findall(rf'action="{reverse("console:switch-role")}recent/(\d+)/".*?>([^<]+)</button>', page)
        assert buttons == [("0", "Second"), ("1", "First")]

    def test_a_recent_entry_switches_to_that_role_again(self, student_client, accounts):
        _switch(student_client, display_name="Dev admin")
        _switch(student_client, account="prod", display_name="Prod admin")
        response = student_client.post(reverse("console:switch-recent", args=[1]))
        assert response["Location"] == reverse("console:home")
        assert _identity_arn(_home(student_client)) == _session_arn(accounts["dev"])

    def test_a_recent_entry_gets_a_fresh_session(self, student_client, accounts):
        _switch(student_client)
        first_key = student_client.session[SWITCHED_KEY]["key"]
        student_client.post(reverse("console:switch-back"))
        student_client.post(reverse("console:switch-recent", args=[0]))
        assert student_client.session[SWITCHED_KEY]["key"] != first_key

    def test_a_recent_entry_moves_to_the_top_of_the_history(self, student_client, accounts):
        _switch(student_client, display_name="Dev admin")
        _switch(student_client, account="prod", display_name="Prod admin")
        student_client.post(reverse("console:switch-recent", args=[1]))
        names = [entry["display_name"] for entry in student_client.session[HISTORY_KEY]]
        assert names == ["Dev admin", "Prod admin"]

    def test_an_index_past_the_history_goes_to_the_form(self, student_client, accounts):
        _switch(student_client)
        response = student_client.post(reverse("console:switch-recent", args=[HISTORY_MAX]))
        assert response["Location"] == reverse("console:switch-role")

    def test_the_history_survives_switching_back(self, student_client, accounts):
        _switch(student_client)
        student_client.post(reverse("console:switch-back"))
        assert "Dev admin</button>" in _home(student_client)


@pytest.mark.django_db
class SessionExpiryTests:
    def test_within_the_hour_the_console_still_acts_as_the_role(self, student_client, student, accounts):
        _switch(student_client)
        clock_advance(Sandbox.objects.get(owner=student), CONSOLE_SESSION_SECONDS - 60)
        assert _identity_arn(_home(student_client)) == _session_arn(accounts["dev"])

    def test_after_the_hour_the_console_is_back_to_the_iam_user(self, student_client, student, accounts):
        _switch(student_client)
        clock_advance(Sandbox.objects.get(owner=student), CONSOLE_SESSION_SECONDS + 1)
        assert _identity_arn(_home(student_client)) == _user_arn(accounts["management"])

    def test_after_the_hour_the_learner_is_told_the_session_expired(self, student_client, student, accounts):
        _switch(student_client)
        clock_advance(Sandbox.objects.get(owner=student), CONSOLE_SESSION_SECONDS + 1)
        assert EXPIRED in _home(student_client)

    def test_after_the_hour_the_top_bar_shows_the_user(self, student_client, student, accounts):
        _switch(student_client)
        clock_advance(Sandbox.objects.get(owner=student), CONSOLE_SESSION_SECONDS + 1)
        page = _home(student_client)
        assert 'data-testid="active-role"' not in page
        assert _unswitched(student_client)

    def test_after_the_hour_the_top_bar_of_other_pages_shows_the_user(self, student_client, student, accounts):
        _switch(student_client)
        clock_advance(Sandbox.objects.get(owner=student), CONSOLE_SESSION_SECONDS + 1)
        page = student_client.get(reverse("labs:lab-list")).content.decode()
        assert 'data-testid="active-role"' not in page

    def test_after_the_hour_the_roles_are_the_home_accounts(self, student_client, student, accounts):
        _home_role(student, "HomeOnlyRole")
        _switch(student_client)
        clock_advance(Sandbox.objects.get(owner=student), CONSOLE_SESSION_SECONDS + 1)
        assert "HomeOnlyRole" in student_client.get(reverse("console:role-list")).content.decode()


@pytest.mark.django_db
class ForgedSessionTests:
    """The active role lives in the Django session; a key that is not the learner's must never be honoured."""

    def _forge(self, client, other_student) -> StsSession:
        switched = switch_role(user_identity=provisioning.learner_identity(user=other_student), account="dev",
                               role_name=ORGANIZATION_ACCESS_ROLE)
        session = client.session
        session[SWITCHED_KEY] = {"key": switched.session.access_key_id, "display_name": "Stolen", "color": "red",
                                 "account_id": switched.account_id, "role_name": ORGANIZATION_ACCESS_ROLE}
        session.save()
        return switched.session

    def test_another_learners_session_key_gives_the_learners_own_identity(
        self, student_client, other_student, accounts
    ):
        self._forge(student_client, other_student)
        assert _identity_arn(_home(student_client)) == _user_arn(accounts["management"])

    def test_another_learners_session_is_not_shown_anywhere(self, student_client, other_student, accounts):
        stolen = self._forge(student_client, other_student)
        page = _home(student_client)
        assert stolen.account.account_id not in page
        assert "Stolen" not in page

    def test_another_learners_roles_are_not_listed(self, student_client, student, other_student, accounts):
        _home_role(student, "HomeOnlyRole")
        self._forge(student_client, other_student)
        page = student_client.get(reverse("console:role-list")).content.decode()
        assert "HomeOnlyRole" in page
        assert ORGANIZATION_ACCESS_ROLE not in page

    def test_the_forged_state_is_dropped(self, student_client, other_student, accounts):
        self._forge(student_client, other_student)
        _home(student_client)
        assert _unswitched(student_client)


@pytest.mark.django_db
class SwitchRoleEventTests:
    def _assume_role_event(self, account_id: str) -> Event:
        return Event.objects.get(account__account_id=account_id, event_name="AssumeRole")

    def test_assume_role_is_recorded_in_the_home_account_as_invoked_by_aws(self, student_client, accounts):
        _switch(student_client)
        event = self._assume_role_event(accounts["management"])
        assert event.user_identity["invokedBy"] == AWS_INTERNAL
        assert event.user_identity["arn"] == _user_arn(accounts["management"])

    def test_assume_role_comes_from_aws_internal(self, student_client, accounts):
        _switch(student_client)
        record = event_cloudtrail_record(self._assume_role_event(accounts["management"]))
        assert record["sourceIPAddress"] == AWS_INTERNAL
        assert record["userAgent"] == AWS_INTERNAL

    def test_assume_role_names_the_session_after_the_user(self, student_client, accounts):
        _switch(student_client)
        parameters = self._assume_role_event(accounts["management"]).request_parameters
        assert parameters["roleSessionName"] == "student1"
        assert parameters["roleArn"] == f"arn:aws:iam::{accounts['dev']}:role/{ORGANIZATION_ACCESS_ROLE}"
        assert parameters["durationSeconds"] == CONSOLE_SESSION_SECONDS

    def test_switch_role_success_is_recorded_in_the_role_account(self, student_client, accounts):
        _switch(student_client)
        event = Event.objects.get(account__account_id=accounts["dev"], event_name="SwitchRole")
        assert event.event_source == "signin.amazonaws.com"
        assert event.event_type == "AwsConsoleSignIn"
        assert event.response_elements == {"SwitchRole": "Success"}
        assert event.user_identity["arn"] == _session_arn(accounts["dev"])

    def test_switch_role_success_says_where_it_switched_from(self, student_client, accounts):
        _switch(student_client)
        event = Event.objects.get(account__account_id=accounts["dev"], event_name="SwitchRole")
        record = event_cloudtrail_record(event)
        assert record["eventType"] == "AwsConsoleSignIn"
        assert record["additionalEventData"]["SwitchFrom"] == _user_arn(accounts["management"])
        assert "RedirectTo" in record["additionalEventData"]

    def test_a_refused_switch_records_switch_role_failure(self, student_client, accounts):
        _switch(student_client, role_name="NoSuchRole")
        event = Event.objects.get(account__sandbox__owner__username="student1", event_name="SwitchRole")
        assert event.response_elements == {"SwitchRole": "Failure"}
        assert event.event_type == "AwsConsoleSignIn"

    def test_a_refused_switch_records_the_denied_assume_role(self, student_client, accounts):
        _switch(student_client, role_name="NoSuchRole")
        event = self._assume_role_event(accounts["management"])
        assert event.error_code == "AccessDenied"
        assert event.user_identity["invokedBy"] == AWS_INTERNAL

    def test_a_refused_switch_to_an_unknown_account_records_switch_role_failure(self, student_client, accounts):
        _switch(student_client, account="999999999999")
        recorded = Event.objects.filter(account__sandbox__owner__username="student1", event_name="SwitchRole")
        assert [event.response_elements for event in recorded] == [{"SwitchRole": "Failure"}]

    def test_a_refused_switch_leaves_no_session(self, student_client, accounts):
        _switch(student_client, role_name="NoSuchRole")
        assert not StsSession.objects.filter(account__account_id=accounts["dev"]).exists()


# --- Revoke active sessions ---------------------------------------------------------------------------------

LIST_ROLES = json.dumps({"Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]})


def _revoke(client, role_name: str, **data):
    return client.post(reverse("console:role-revoke-sessions", args=[role_name]), data)


def _role_policies(account_id: str, role_name: str) -> dict[str, str]:
    with account_reader(account_id) as backends:
        return dict(backends.iam.get_role(role_name).policies)


def _ops_role(user) -> str:
    """`OpsRole` in the home account: trusts the account, may list roles."""
    name = _home_role(user, "OpsRole")
    with account_writer(provisioning.learner_identity(user=user).account_id) as backends:
        backends.iam.put_role_policy(name, "list-roles", LIST_ROLES)
    return name


def _assume(user, role_name: str, session_name: str):
    user_identity = provisioning.learner_identity(user=user)
    arn = f"arn:aws:iam::{user_identity.account_id}:role/{role_name}"
    return assume_role(user_identity, {"RoleArn": arn, "RoleSessionName": session_name}).identity


def _may_list_roles(identity) -> bool:
    with account_reader(identity.account_id) as backends:
        try:
            authorize(backends, identity, action="iam:ListRoles", resource="*")
        except AccessDenied:
            return False
    return True


@pytest.mark.django_db
class RevokeSessionsTests:
    def test_the_role_page_offers_revoking(self, student_client, student):
        _ops_role(student)
        page = student_client.get(reverse("console:role-detail", args=["OpsRole"])).content.decode()
        assert reverse("console:role-revoke-sessions", args=["OpsRole"]) in page
        assert 'name="acknowledge"' in page

    def test_without_the_acknowledgement_the_answer_is_400(self, student_client, student):
        _ops_role(student)
        assert _revoke(student_client, "OpsRole").status_code == 400

    def test_without_the_acknowledgement_no_policy_is_added(self, student_client, student, accounts):
        _ops_role(student)
        _revoke(student_client, "OpsRole")
        assert POLICY_NAME not in _role_policies(accounts["management"], "OpsRole")

    def test_with_the_acknowledgement_the_role_gets_the_revoke_policy(self, student_client, student, accounts):
        _ops_role(student)
        response = _revoke(student_client, "OpsRole", acknowledge="on")
        assert response["Location"] == reverse("console:role-detail", args=["OpsRole"])
        assert POLICY_NAME in _role_policies(accounts["management"], "OpsRole")

    def test_the_revoke_policy_denies_everything_to_older_tokens(self, student_client, student, accounts):
        _ops_role(student)
        _revoke(student_client, "OpsRole", acknowledge="on")
        statement = json.loads(_role_policies(accounts["management"], "OpsRole")[POLICY_NAME])["Statement"][0]
        assert statement["Effect"] == "Deny"
        assert statement["Action"] == ["*"]
        assert list(statement["Condition"]["DateLessThan"]) == ["aws:TokenIssueTime"]

    def test_a_missing_role_is_a_404(self, student_client, accounts):
        assert _revoke(student_client, "nope", acknowledge="on").status_code == 404

    def test_revoking_needs_a_post(self, student_client, student):
        _ops_role(student)
        assert student_client.get(reverse("console:role-revoke-sessions", args=["OpsRole"])).status_code == 405

    def test_a_session_assumed_before_is_denied_on_its_next_call(self, student_client, student, accounts):
        _ops_role(student)
        older = _assume(student, "OpsRole", "older")
        assert _may_list_roles(older)
        # The revocation moment is written to the second: move on so the older token is clearly before it.
        clock_advance(Sandbox.objects.get(owner=student), 2)
        _revoke(student_client, "OpsRole", acknowledge="on")
        assert not _may_list_roles(older)

    def test_a_session_assumed_after_still_works(self, student_client, student, accounts):
        _ops_role(student)
        _revoke(student_client, "OpsRole", acknowledge="on")
        clock_advance(Sandbox.objects.get(owner=student), 2)
        newer = _assume(student, "OpsRole", "newer")
        assert _may_list_roles(newer)

    def test_a_session_assumed_earlier_in_the_same_second_is_denied(
        self, student_client, student, accounts, monkeypatch
    ):
        _ops_role(student)
        second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
        monkeypatch.setattr("sandbox.clock.real_now", lambda: second + timedelta(milliseconds=200))
        older = _assume(student, "OpsRole", "older")
        monkeypatch.setattr("sandbox.clock.real_now", lambda: second + timedelta(milliseconds=700))
        _revoke(student_client, "OpsRole", acknowledge="on")
        assert not _may_list_roles(older)

    def test_revoking_the_switched_to_role_revokes_sessions_in_the_role_account(
        self, student_client, student, accounts
    ):
        older = switch_role(user_identity=provisioning.learner_identity(user=student), account="dev",
                            role_name=ORGANIZATION_ACCESS_ROLE)
        clock_advance(Sandbox.objects.get(owner=student), 2)
        _switch(student_client)
        _revoke(student_client, ORGANIZATION_ACCESS_ROLE, acknowledge="on")
        assert POLICY_NAME in _role_policies(accounts["dev"], ORGANIZATION_ACCESS_ROLE)
        assert not _may_list_roles(older.identity)
