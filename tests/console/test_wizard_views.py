"""Create-role wizard: its state across steps, step 2 "Add permissions", step 3 "Name, review, and create"."""
from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from console.wizard_state import WIZARDS_KEY, WIZARDS_MAX, wizard_get
from sandbox import provisioning
from sandbox.api import iam_call
from sandbox.models import Event
from sandbox.roles import roles_snapshot
from tests.console.wizard_helpers import (
    HTMX,
    post_entity,
    post_permissions,
    post_review,
    step_url,
    trust_text,
    wizard_open,
    wizard_state,
)

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
EC2_TRUST = trust_text({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
LAMBDA_TRUST = trust_text({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"})


@pytest.fixture
def identity(student):
    return provisioning.learner_identity(user=student)


@pytest.fixture
def wizard(student_client):
    return wizard_open(student_client)


@pytest.fixture
def at_step_2(student_client, wizard):
    """A wizard whose step 1 chose AWS service > Lambda."""
    post_entity(student_client, wizard, entity_type="aws_service", service="lambda", use_case="lambda")
    return wizard


@pytest.fixture
def at_step_3(student_client, at_step_2):
    post_permissions(student_client, at_step_2)
    return at_step_2


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
class WizardStateTests:
    def test_create_role_opens_a_new_wizard_at_step_1(self, student_client):
        response = student_client.get(reverse("console:role-create"))
        wizard_id = response["Location"].split("/")[-3]
        assert response["Location"] == step_url(wizard_id, "entity")
        assert wizard_id in student_client.session[WIZARDS_KEY]

    def test_each_create_role_opens_its_own_wizard(self, student_client):
        assert wizard_open(student_client) != wizard_open(student_client)

    def test_only_the_newest_wizards_are_kept(self, student_client):
        first = wizard_open(student_client)
        for _ in range(WIZARDS_MAX):
            wizard_open(student_client)
        assert len(student_client.session[WIZARDS_KEY]) == WIZARDS_MAX
        assert first not in student_client.session[WIZARDS_KEY]

    def test_an_unknown_wizard_starts_over_with_a_message(self, student_client):
        response = student_client.get(step_url("00000000-0000-4000-8000-000000000000", "review"))
        assert response["Location"] == reverse("console:role-create")
        assert "That create-role wizard is no longer open" in _messages(response)[0]

    def test_a_wizard_id_that_is_not_a_uuid_is_a_404(self, student_client):
        assert student_client.get("/console/iam/roles/create/not-a-uuid/review/").status_code == 404

    def test_signing_in_is_required(self, client):
        response = client.get(step_url("00000000-0000-4000-8000-000000000000", "entity"))
        assert response.status_code == 302
        assert "signin" in response["Location"] or "login" in response["Location"]

    def test_steps_2_and_3_need_step_1_first(self, student_client, wizard):
        for step in ("permissions", "review"):
            assert student_client.get(step_url(wizard, step))["Location"] == step_url(wizard, "entity")

    def test_another_learner_cannot_read_the_wizard(self, client, student_client, wizard, other_student):
        post_entity(student_client, wizard, entity_type="aws_account", account="other", account_id="444455556666")
        client.force_login(other_student)
        for step in ("entity", "permissions", "review"):
            response = client.get(step_url(wizard, step))
            assert response["Location"] == reverse("console:role-create")
        assert "444455556666" not in client.get(step_url(wizard, "entity"), follow=True).content.decode()

    def test_the_state_is_bound_to_its_owner(self, student_client, wizard, student, other_student):
        session = student_client.session
        assert wizard_get(session, wizard, owner=student.pk) is not None
        assert wizard_get(session, wizard, owner=other_student.pk) is None

    def test_step_1_shows_the_saved_choice_after_next(self, student_client, wizard):
        post_entity(student_client, wizard, entity_type="aws_account", account="other", account_id="444455556666",
                    require_mfa="on")
        page = student_client.get(step_url(wizard, "entity")).content.decode()
        assert 'id="entity-aws_account" aria-describedby="entity-aws_account-description" checked' in page
        assert 'value="444455556666"' in page
        assert re.search(r'<input type="checkbox" name="require_mfa"[^>]*checked>', page)

    def test_trust_policy_edits_survive_previous_and_next_with_the_same_choice(self, student_client, at_step_3):
        edited = LAMBDA_TRUST.replace("lambda", "states")
        post_review(student_client, at_step_3, action="previous", role_name="R", trust_policy=edited)
        post_entity(student_client, at_step_3, entity_type="aws_service", service="lambda", use_case="lambda")
        assert wizard_state(student_client, at_step_3)["trust_policy"] == edited

    def test_a_new_choice_regenerates_the_trust_policy(self, student_client, at_step_3):
        post_review(student_client, at_step_3, action="save", role_name="R", trust_policy="{}")
        post_entity(student_client, at_step_3, entity_type="aws_service", service="ec2", use_case="ec2")
        assert wizard_state(student_client, at_step_3)["trust_policy"] == EC2_TRUST

    def test_pages_are_never_cached_so_back_shows_the_saved_state(self, student_client, wizard):
        response = student_client.get(step_url(wizard, "entity"))
        assert "no-store" in response["Cache-Control"]

    def test_the_step_links_are_real_links(self, student_client, at_step_2):
        page = student_client.get(step_url(at_step_2, "permissions")).content.decode()
        assert f'<a href="{step_url(at_step_2, "entity")}">' in page
        assert f'<a href="{step_url(at_step_2, "permissions")}" aria-current="step">' in page
        assert f'<a href="{step_url(at_step_2, "review")}">' in page


@pytest.mark.django_db
class PermissionsStepTests:
    def test_full_page_lists_the_managed_policies(self, student_client, at_step_2):
        page = student_client.get(step_url(at_step_2, "permissions")).content.decode()
        assert "<html" in page
        assert f'value="{READ_ONLY}"' in page
        assert "AWS managed" in page

    def test_htmx_search_returns_the_filtered_table_fragment(self, student_client, at_step_2):
        response = student_client.get(step_url(at_step_2, "permissions"), {"q": "readonlyacc"}, headers=HTMX)
        page = response.content.decode()
        assert page.strip().startswith('<div id="policy-table">')
        assert f'value="{READ_ONLY}"' in page
        assert ADMIN not in page

    def test_the_customer_managed_filter_asks_list_policies_with_scope_local(self, student_client, at_step_2,
                                                                             identity):
        document = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
        mine = iam_call(identity, "CreatePolicy", {"PolicyName": "MyReader", "PolicyDocument": document})
        page = student_client.get(step_url(at_step_2, "permissions"), {"scope": "Local"}, headers=HTMX).content.decode()
        assert mine["Policy"]["Arn"] in page
        assert READ_ONLY not in page
        event = Event.objects.filter(event_name="ListPolicies").order_by("-id").first()
        assert event is not None and event.request_parameters.get("scope") == "Local"

    def test_ticking_with_htmx_saves_and_returns_the_selection(self, student_client, at_step_2):
        response = post_permissions(student_client, at_step_2, action="save", headers=HTMX, shown=[READ_ONLY],
                                    policy=[READ_ONLY])
        page = response.content.decode()
        assert page.strip().startswith('<section id="policy-selection"')
        assert "ReadOnlyAccess" in page
        assert wizard_state(student_client, at_step_2)["policies"] == [READ_ONLY]

    def test_the_selection_is_kept_across_searches(self, student_client, at_step_2):
        post_permissions(student_client, at_step_2, action="save", headers=HTMX, shown=[READ_ONLY], policy=[READ_ONLY])
        post_permissions(student_client, at_step_2, action="save", headers=HTMX, shown=[S3_READ, ADMIN],
                         policy=[S3_READ])
        assert wizard_state(student_client, at_step_2)["policies"] == [READ_ONLY, S3_READ]
        post_permissions(student_client, at_step_2, action="save", headers=HTMX, shown=[READ_ONLY])
        assert wizard_state(student_client, at_step_2)["policies"] == [S3_READ]

    def test_selected_policies_stay_ticked_in_a_new_search(self, student_client, at_step_2):
        post_permissions(student_client, at_step_2, action="save", headers=HTMX, shown=[READ_ONLY], policy=[READ_ONLY])
        page = student_client.get(step_url(at_step_2, "permissions"), {"q": "ReadOnlyAccess"}).content.decode()
        assert re.search(rf'name="policy" value="{READ_ONLY}" id="policy-\d+" checked>', page)

    def test_without_javascript_search_keeps_the_ticks_and_redirects_with_the_query(self, student_client, at_step_2):
        response = post_permissions(student_client, at_step_2, action="search", shown=[READ_ONLY], policy=[READ_ONLY],
                                    q="s3", scope="AWS")
        assert response["Location"] == step_url(at_step_2, "permissions") + "?q=s3&scope=AWS"
        assert wizard_state(student_client, at_step_2)["policies"] == [READ_ONLY]

    def test_next_goes_to_step_3_and_previous_to_step_1(self, student_client, at_step_2):
        assert post_permissions(student_client, at_step_2)["Location"] == step_url(at_step_2, "review")
        assert post_permissions(student_client, at_step_2, action="previous")["Location"] == step_url(at_step_2,
                                                                                                      "entity")

    def test_more_than_ten_policies_cannot_go_on(self, student_client, at_step_2, identity):
        rows = iam_call(identity, "ListPolicies", {"Scope": "AWS"})["Policies"][:11]
        arns = [row["Arn"] for row in rows]
        response = post_permissions(student_client, at_step_2, shown=arns, policy=arns)
        assert response.status_code == 200
        assert "A role can have at most 10 managed policies attached" in response.content.decode()

    def test_a_permissions_boundary_is_saved(self, student_client, at_step_2):
        post_permissions(student_client, at_step_2, boundary_mode="use", boundary=READ_ONLY)
        assert wizard_state(student_client, at_step_2)["boundary"] == READ_ONLY

    def test_a_boundary_needs_a_policy(self, student_client, at_step_2):
        response = post_permissions(student_client, at_step_2, boundary_mode="use")
        assert response.status_code == 200
        assert "Choose a policy for the permissions boundary." in response.content.decode()

    def test_no_boundary_clears_it(self, student_client, at_step_2):
        post_permissions(student_client, at_step_2, boundary_mode="use", boundary=READ_ONLY)
        post_permissions(student_client, at_step_2, boundary_mode="none", boundary=READ_ONLY)
        assert wizard_state(student_client, at_step_2)["boundary"] == ""

    def test_a_value_that_is_not_a_policy_arn_is_an_error_not_a_500(self, student_client, at_step_2):
        response = post_permissions(student_client, at_step_2, shown=["x"], policy=["<script>"])
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()

    def test_a_refused_list_is_a_message_in_the_page(self, student_client, at_step_2, monkeypatch):
        from console.selectors import wizard as wizard_selectors
        from sandbox.errors import AccessDenied

        def denied(identity, action, params=None):
            raise AccessDenied("not authorized to perform: iam:ListPolicies")

        monkeypatch.setattr(wizard_selectors, "iam_call", denied)
        response = student_client.get(step_url(at_step_2, "permissions"))
        assert response.status_code == 200
        assert "You don't have permission to list policies." in response.content.decode()


@pytest.mark.django_db
class ReviewStepTests:
    def test_full_page_shows_the_trust_policy_for_editing_and_the_summary(self, student_client, at_step_2):
        post_permissions(student_client, at_step_2, shown=[READ_ONLY], policy=[READ_ONLY], boundary_mode="use",
                         boundary=S3_READ)
        page = student_client.get(step_url(at_step_2, "review")).content.decode()
        assert '<textarea id="id_trust_policy" name="trust_policy"' in page
        assert html.escape(LAMBDA_TRUST) in page
        assert "Step 1: Select trusted entities" in page
        assert ">AWS service</strong>" in page
        assert "<td>ReadOnlyAccess</td>" in page
        assert "<td>AmazonS3ReadOnlyAccess</td>" in page
        assert "Permissions boundary" in page

    def test_htmx_validation_returns_the_findings_and_keeps_the_text(self, student_client, at_step_3):
        broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        response = post_review(student_client, at_step_3, action="validate", headers=HTMX, role_name="R",
                               trust_policy=broken)
        page = response.content.decode()
        assert page.strip().startswith('<div id="trust-findings"')
        assert "Ln 4, Col 1" in page
        assert wizard_state(student_client, at_step_3)["trust_policy"] == broken

    def test_add_tag_with_htmx_returns_the_tag_block_with_a_new_row(self, student_client, at_step_3):
        response = post_review(student_client, at_step_3, action="add_tag", headers=HTMX, role_name="R",
                               trust_policy=LAMBDA_TRUST, tag_key=["team"], tag_value=["blue"])
        page = response.content.decode()
        assert page.strip().startswith('<section id="role-tags"')
        assert page.count('name="tag_key"') == 2
        assert 'id="tag-key-1" name="tag_key" value="" maxlength="200" autocomplete="off" autofocus' in page

    def test_add_tag_without_javascript_keeps_everything_typed(self, student_client, at_step_3):
        response = post_review(student_client, at_step_3, action="add_tag", role_name="Typed", description="Mine",
                               trust_policy=LAMBDA_TRUST, tag_key=["team"], tag_value=["blue"])
        assert response["Location"] == step_url(at_step_3, "review")
        page = student_client.get(response["Location"]).content.decode()
        assert 'value="Typed"' in page
        assert "Mine</textarea>" in page
        assert 'value="team"' in page
        assert page.count('name="tag_key"') == 2

    def test_remove_tag(self, student_client, at_step_3):
        response = post_review(student_client, at_step_3, action="remove_tag:0", headers=HTMX, role_name="R",
                               trust_policy=LAMBDA_TRUST, tag_key=["a", "b"], tag_value=["1", "2"])
        page = response.content.decode()
        assert 'value="a"' not in page
        assert 'value="b"' in page

    def test_no_more_than_fifty_tags(self, student_client, at_step_3):
        keys = [f"k{i}" for i in range(50)]
        response = post_review(student_client, at_step_3, action="add_tag", headers=HTMX, role_name="R",
                               trust_policy=LAMBDA_TRUST, tag_key=keys, tag_value=[""] * 50)
        page = response.content.decode()
        assert page.count('name="tag_key"') == 50
        assert 'value="add_tag" hx-post' in page and "disabled>Add tag" in page

    @pytest.mark.parametrize(("keys", "message"), [
        (["Team", "team"], "Duplicate tag keys found. Please note that Tag keys are case insensitive."),
        (["aws:team"], "Tag keys beginning with aws: are reserved for AWS use."),
        (["k" * 129], "The tag key can have at most 128 characters."),
        (["semi;colon"], "Tags can use letters, numbers, spaces and the characters _.:/=+-@ only."),
    ])
    def test_bad_tags_are_refused_before_anything_is_created(self, student_client, at_step_3, identity, keys,
                                                             message):
        response = post_review(student_client, at_step_3, role_name="Tagged", trust_policy=LAMBDA_TRUST,
                               tag_key=keys, tag_value=[""] * len(keys))
        assert response.status_code == 200
        assert html.escape(message) in response.content.decode()
        assert "Tagged" not in [r["RoleName"] for r in iam_call(identity, "ListRoles")["Roles"]]

    @pytest.mark.parametrize(("name", "message"), [
        ("has space", "Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
        ("r" * 65, "Ensure this value has at most 64 characters"),
        ("", "This field is required."),
    ])
    def test_role_name_rules(self, student_client, at_step_3, name, message):
        response = post_review(student_client, at_step_3, role_name=name, trust_policy=LAMBDA_TRUST)
        assert response.status_code == 200
        assert html.escape(message) in response.content.decode()

    def test_a_name_taken_in_another_case_is_iams_own_error(self, student_client, at_step_3, identity):
        iam_call(identity, "CreateRole", {"RoleName": "AppRole", "AssumeRolePolicyDocument": LAMBDA_TRUST})
        page = post_review(student_client, at_step_3, role_name="approle", trust_policy=LAMBDA_TRUST).content.decode()
        assert "EntityAlreadyExists: Role with name approle already exists." in page

    def test_trust_policy_errors_block_create_and_keep_the_text(self, student_client, at_step_3, identity):
        broken = LAMBDA_TRUST.replace('"Allow"', '"Permit"')
        response = post_review(student_client, at_step_3, role_name="Broken", trust_policy=broken)
        page = response.content.decode()
        assert "INVALID_EFFECT" in page
        assert html.escape(broken) in page
        assert "Broken" not in [r["RoleName"] for r in iam_call(identity, "ListRoles")["Roles"]]

    def test_a_trust_policy_naming_a_missing_role_is_iams_malformed_policy_error(self, student_client, at_step_3,
                                                                                 identity):
        missing = trust_text({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{identity.account_id}:role/Gone"},
                              "Action": "sts:AssumeRole"})
        page = post_review(student_client, at_step_3, role_name="R", trust_policy=missing).content.decode()
        assert "MalformedPolicyDocument: Invalid principal in policy" in page

    def test_a_denied_create_role_shows_iams_answer_and_why(self, student_client, at_step_3, identity):
        deny = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "*"}]})
        iam_call(identity, "PutUserPolicy", {"UserName": identity.name, "PolicyName": "NoRoles",
                                             "PolicyDocument": deny})
        response = post_review(student_client, at_step_3, role_name="Denied", trust_policy=LAMBDA_TRUST)
        page = response.content.decode()
        assert response.status_code == 200
        assert "AccessDenied" in page
        assert "Why?" in page
        assert 'value="Denied"' in page


@pytest.mark.django_db
class CreateRoleTests:
    def test_creates_the_role_with_description_tags_boundary_and_policies(self, student_client, at_step_2, identity):
        post_permissions(student_client, at_step_2, shown=[READ_ONLY, S3_READ], policy=[READ_ONLY, S3_READ],
                         boundary_mode="use", boundary=ADMIN)
        response = post_review(student_client, at_step_2, role_name="AppRole", description="for the app",
                               trust_policy=LAMBDA_TRUST, tag_key=["team", "env"], tag_value=["blue", ""])
        assert response.status_code == 302
        assert response["Location"] == reverse("console:role-detail", args=["AppRole"])
        role = iam_call(identity, "GetRole", {"RoleName": "AppRole"})["Role"]
        assert role["Description"] == "for the app"
        assert role["Tags"] == [{"Key": "team", "Value": "blue"}, {"Key": "env", "Value": ""}]
        assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == ADMIN
        attached = iam_call(identity, "ListAttachedRolePolicies", {"RoleName": "AppRole"})["AttachedPolicies"]
        assert sorted(p["PolicyArn"] for p in attached) == sorted([READ_ONLY, S3_READ])

    def test_success_is_announced_and_the_wizard_is_closed(self, student_client, at_step_3):
        response = post_review(student_client, at_step_3, role_name="Done", trust_policy=LAMBDA_TRUST)
        assert _messages(response) == ["Role Done created."]
        assert at_step_3 not in student_client.session[WIZARDS_KEY]
        assert student_client.get(step_url(at_step_3, "review"))["Location"] == reverse("console:role-create")

    def test_an_ec2_role_gets_its_instance_profile(self, student_client, wizard, identity):
        post_entity(student_client, wizard, entity_type="aws_service", service="ec2", use_case="ec2")
        post_permissions(student_client, wizard)
        post_review(student_client, wizard, role_name="WebServer", trust_policy=EC2_TRUST)
        profile = iam_call(identity, "GetInstanceProfile", {"InstanceProfileName": "WebServer"})["InstanceProfile"]
        assert [role["RoleName"] for role in profile["Roles"]] == ["WebServer"]

    def test_a_custom_trust_policy_for_ec2_also_gets_an_instance_profile(self, student_client, wizard, identity):
        post_entity(student_client, wizard, entity_type="custom", custom_policy=EC2_TRUST)
        post_permissions(student_client, wizard)
        post_review(student_client, wizard, role_name="FirstEc2Role", trust_policy=EC2_TRUST)
        assert iam_call(identity, "ListInstanceProfilesForRole", {"RoleName": "FirstEc2Role"})["InstanceProfiles"]

    def test_other_roles_get_no_instance_profile(self, student_client, at_step_3, identity):
        post_review(student_client, at_step_3, role_name="Fn", trust_policy=LAMBDA_TRUST)
        assert iam_call(identity, "ListInstanceProfiles")["InstanceProfiles"] == []

    def test_a_failed_call_after_create_role_is_reported_on_the_role_page(self, student_client, at_step_2, identity):
        missing = "arn:aws:iam::aws:policy/NoSuchPolicy"
        post_permissions(student_client, at_step_2, shown=[missing, READ_ONLY], policy=[missing, READ_ONLY])
        response = post_review(student_client, at_step_2, role_name="Partial", trust_policy=LAMBDA_TRUST)
        assert response["Location"] == reverse("console:role-detail", args=["Partial"])
        notes = _messages(response)
        assert notes[0] == "Role Partial created."
        assert notes[1].startswith(f"The role was created, but AttachRolePolicy for {missing} failed: NoSuchEntity:")
        attached = iam_call(identity, "ListAttachedRolePolicies", {"RoleName": "Partial"})["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [READ_ONLY]

    def test_an_existing_instance_profile_is_reported_and_the_role_kept(self, student_client, wizard, identity):
        iam_call(identity, "CreateInstanceProfile", {"InstanceProfileName": "Web"})
        post_entity(student_client, wizard, entity_type="aws_service", service="ec2", use_case="ec2")
        post_permissions(student_client, wizard)
        response = post_review(student_client, wizard, role_name="Web", trust_policy=EC2_TRUST)
        assert "CreateInstanceProfile for Web failed: EntityAlreadyExists" in _messages(response)[1]
        assert iam_call(identity, "GetRole", {"RoleName": "Web"})["Role"]["RoleName"] == "Web"

    def test_a_switched_role_creates_in_its_own_account(self, student_client, student):
        dev_id = provisioning.sandbox_provision(user=student).accounts.get(alias="dev").account_id
        switched = student_client.post(reverse("console:switch-role"), {
            "account": "dev", "role_name": provisioning.ORGANIZATION_ACCESS_ROLE, "display_name": "Dev"})
        assert switched.status_code == 302
        wizard_id = wizard_open(student_client)
        post_entity(student_client, wizard_id, entity_type="aws_account", account="this")
        generated = wizard_state(student_client, wizard_id)["trust_policy"]
        assert f"arn:aws:iam::{dev_id}:root" in generated
        post_permissions(student_client, wizard_id)
        assert post_review(student_client, wizard_id, role_name="DevRole", trust_policy=generated).status_code == 302
        dev_roles = [role.name for role in roles_snapshot(account_id=dev_id)]
        assert "DevRole" in dev_roles

    def test_every_call_is_recorded_as_a_console_event(self, student_client, at_step_2):
        post_permissions(student_client, at_step_2, shown=[READ_ONLY], policy=[READ_ONLY])
        post_review(student_client, at_step_2, role_name="Logged", trust_policy=LAMBDA_TRUST)
        names = list(Event.objects.filter(error_code="").values_list("event_name", flat=True))
        assert "CreateRole" in names and "AttachRolePolicy" in names
        event = Event.objects.get(event_name="CreateRole")
        assert event.user_agent == "iam-training-console"
