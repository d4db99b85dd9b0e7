"""Policy simulator: decisions equal the sandbox's own, the deciding statement marked, bad input kept, permissions."""
from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

import iam
from console.services.simulator import (
    DECISION_LABELS,
    SimulationSpec,
    explanation_parts,
    policy_segments,
    simulation_run,
)
from sandbox import provisioning
from sandbox.api import iam_call
from sandbox.errors import AccessDenied
from sandbox.models import Event
from sandbox.sts.assume_role import assume_role
from sandbox.sts.switch_role import switch_role
from tests.console.activity_helpers import AUDITOR_POLICY, HTMX, LIST_ONLY_POLICY, home_role, switch_to

URL = "console:policy-simulator"
MFA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ListAll", "Effect": "Allow", "Action": ["iam:List*", "iam:Simulate*"], "Resource": "*"},
        {"Sid": "DeleteWithMfa", "Effect": "Allow", "Action": "iam:DeleteRole", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
    ],
}
SIMULATE_ONLY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:SimulatePrincipalPolicy", "Resource": "*"}]}
ALLOW_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, indent=2)
BOUNDARY_IAM_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "IamOnly", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}]})


def _post(client, headers=None, **fields):
    data = {"mode": "principal", "resources": "*", "context_rows": "2", **fields}
    response = client.post(reverse(URL), data, headers=headers or {})
    assert response.status_code == 200
    return response.content.decode()


def _decisions(page: str) -> list[str]:
    return re.findall(r'data-testid="decision">([^<]+)<', page)


def _marked(page: str, kind: str = "decisive") -> list[str]:
    return [html.unescape(text) for text in re.findall(rf'<mark class="stmt-{kind}">(.*?)</mark>', page, re.S)]


def _role_session(user, role_name: str):
    learner = provisioning.learner_identity(user=user)
    return switch_role(user_identity=learner, account=learner.account_id, role_name=role_name).identity


def _real_evaluation(identity, action: str, params: dict) -> iam.Evaluation | None:
    """What the sandbox itself decides for the call (None: allowed)."""
    try:
        iam_call(identity, action, params)
    except AccessDenied as denied:
        return denied.extra["evaluation"]
    return None


@pytest.mark.django_db
class SimulatorPageTests:
    def test_full_page_lists_the_accounts_users_and_roles(self, student_client, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        page = student_client.get(reverse(URL)).content.decode()
        assert "<html" in page
        assert 'id="simulator"' in page
        assert '<option value="user:student1">student1</option>' in page
        assert '<option value="role:Auditor">Auditor</option>' in page

    def test_htmx_post_gets_only_the_simulator_fragment(self, student_client, student):
        page = _post(student_client, headers=HTMX, principal="user:student1", actions="iam:CreateRole")
        assert "<html" not in page
        assert page.strip().startswith('<div id="simulator">')
        assert 'data-testid="simulation-results"' in page

    def test_plain_post_gets_the_whole_page(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="iam:CreateRole")
        assert "<html" in page
        assert 'data-testid="simulation-results"' in page

    def test_a_link_prefills_the_form(self, student_client, student):
        query = {"principal": "user:student1", "actions": "iam:GetRole", "resources": "arn:aws:iam::1:role/x",
                 "context_rows": "1", "context_key_0": "aws:SourceIp", "context_value_0": "203.0.113.9"}
        page = student_client.get(reverse(URL), query).content.decode()
        assert '<option value="user:student1" selected>' in page
        assert 'value="iam:GetRole"' in page
        assert 'value="aws:SourceIp"' in page
        assert 'value="203.0.113.9"' in page

    def test_add_context_key_adds_a_row_and_keeps_the_input(self, student_client, student):
        page = _post(student_client, add_context="1", context_rows="2", actions="not an action",
                     context_key_0="aws:SourceIp", context_value_0="10.0.0.1")
        assert 'name="context_key_2"' in page
        assert 'value="aws:SourceIp"' in page
        assert 'value="not an action"' in page
        assert 'role="alert"' not in page

    def test_a_simulation_is_recorded_as_a_read_only_event(self, student_client, student):
        _post(student_client, principal="user:student1", actions="iam:CreateRole")
        event = Event.objects.get(event_name="SimulatePrincipalPolicy")
        assert event.read_only is True
        assert event.request_parameters["policySourceArn"].endswith(":user/student1")
        assert event.request_parameters["actionNames"] == ["iam:CreateRole"]


@pytest.mark.django_db
class SimulatorDecisionTests:
    """The simulator's decisions and reasons are the sandbox's own for the same call."""

    def test_allow_matches_the_sandbox_and_marks_the_allowing_statement(self, student_client, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        assert _real_evaluation(_role_session(student, "Auditor"), "ListRoles", {}) is None
        page = _post(student_client, principal="role:Auditor", actions="iam:ListRoles")
        assert _decisions(page) == ["allowed"]
        assert len(_marked(page)) == 1
        assert '"Sid": "ReadIam"' in _marked(page)[0]

    def test_explicit_deny_matches_the_sandbox_and_marks_the_deny(self, student_client, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        real = _real_evaluation(_role_session(student, "Auditor"), "GetRole", {"RoleName": "Auditor"})
        assert real is not None and real.decision is iam.Decision.EXPLICIT_DENY
        account = provisioning.learner_identity(user=student).account_id
        page = _post(student_client, principal="role:Auditor", actions="iam:GetRole",
                     resources=f"arn:aws:iam::{account}:role/Auditor")
        assert _decisions(page) == ["explicitly denied"]
        assert [ref.label for ref in real.reasons] == ["NoRoleDetails"]
        marked = _marked(page)
        assert len(marked) == 1
        assert '"Sid": "NoRoleDetails"' in marked[0]
        assert '"Sid": "ReadIam"' not in marked[0]

    def test_implicit_deny_matches_the_sandbox_and_explains_it(self, student_client, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        real = _real_evaluation(_role_session(student, "Auditor"), "CreateRole",
                                {"RoleName": "x", "AssumeRolePolicyDocument": "{}"})
        assert real is not None and real.decision is iam.Decision.IMPLICIT_DENY
        page = _post(student_client, principal="role:Auditor", actions="iam:CreateRole")
        assert _decisions(page) == ["implicitly denied"]
        assert _marked(page) == []
        assert "no identity-based policy allows it" in page

    def test_the_service_gives_the_engines_decision_and_reasons(self, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        session = _role_session(student, "Auditor")
        learner = provisioning.learner_identity(user=student)
        spec = SimulationSpec(mode="principal", principal="role:Auditor", identity_policy="", boundary_policy="",
                              session_policy="", resource_policy="", caller_arn="",
                              actions=("iam:GetRole", "iam:ListRoles", "iam:CreateRole"),
                              resources=(f"arn:aws:iam::{learner.account_id}:role/Auditor",), context=())
        simulation = simulation_run(identity=learner, spec=spec)
        for result in simulation.results:
            real = _real_evaluation(session, result.action.split(":")[1], {
                "GetRole": {"RoleName": "Auditor"}, "ListRoles": {},
                "CreateRole": {"RoleName": "Auditor2", "AssumeRolePolicyDocument": "{}"}}[result.action.split(":")[1]])
            expected = real.decision if real else iam.Decision.ALLOW
            assert result.decision is expected, result.action
            if real is not None:
                assert result.reasons == tuple(ref.label for ref in real.reasons)

    def test_a_user_with_administrator_access_is_allowed(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="iam:CreateRole, s3:GetObject")
        assert _decisions(page) == ["allowed", "allowed"]
        assert "AdministratorAccess" in page

    def test_assume_role_on_a_sandbox_role_weighs_its_trust_policy_as_sts_does(self, student_client, student):
        home_role(student, "Partner", None, {"StringEquals": {"sts:ExternalId": "partner-42"}})
        learner = provisioning.learner_identity(user=student)
        role_arn = f"arn:aws:iam::{learner.account_id}:role/Partner"
        with pytest.raises(AccessDenied) as refused:
            assume_role(learner, {"RoleArn": role_arn, "RoleSessionName": "session"})
        real = refused.value.extra["evaluation"]
        page = _post(student_client, principal="user:student1", actions="sts:AssumeRole", resources=role_arn)
        assert _decisions(page) == [str(DECISION_LABELS[real.decision])]
        assert "Trust policy: <strong>Partner trust policy</strong>" in page
        assert "partner-42" in page
        allowed = _post(student_client, principal="user:student1", actions="sts:AssumeRole", resources=role_arn,
                        context_key_0="sts:ExternalId", context_value_0="partner-42")
        assert _decisions(allowed) == ["allowed"]

    def test_a_condition_key_from_the_form_changes_the_decision(self, student_client, student):
        home_role(student, "MfaDeleter", MFA_POLICY)
        without = _post(student_client, principal="role:MfaDeleter", actions="iam:DeleteRole")
        assert _decisions(without) == ["implicitly denied"]
        assert '"Sid": "DeleteWithMfa"' in _marked(without, "near")[0]
        assert "aws:MultiFactorAuthPresent" in without
        with_mfa = _post(student_client, principal="role:MfaDeleter", actions="iam:DeleteRole",
                         context_key_0="aws:MultiFactorAuthPresent", context_value_0="true")
        assert _decisions(with_mfa) == ["allowed"]

    def test_in_a_member_account_the_service_control_policies_take_part(self, student_client, student):
        student_client.post(reverse("console:switch-role"), {"account": "dev",
                                                              "role_name": provisioning.ORGANIZATION_ACCESS_ROLE})
        page = _post(student_client, principal="role:OrganizationAccountAccessRole", actions="iam:CreateRole")
        assert _decisions(page) == ["allowed"]
        assert "Service control policy (SCP): <strong>FullAWSAccess</strong>" in page

    def test_one_result_per_action_and_resource(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="iam:GetRole, iam:DeleteRole",
                     resources="arn:aws:iam::111122223333:role/a\narn:aws:iam::111122223333:role/b")
        assert len(_decisions(page)) == 4

    def test_the_explanation_follows_the_page_language(self, student_client, student):
        home_role(student, "Auditor", AUDITOR_POLICY)
        student_client.cookies["django_language"] = "ko"
        page = _post(student_client, principal="role:Auditor", actions="iam:GetRole")
        assert "명시적 거부" in page


@pytest.mark.django_db
class CustomPolicyTests:
    def _custom(self, client, **fields):
        return _post(client, mode="custom", **fields)

    def test_a_pasted_policy_allows(self, student_client):
        page = self._custom(student_client, identity_policy=ALLOW_S3, actions="s3:GetObject")
        assert _decisions(page) == ["allowed"]
        assert '"Sid": "ReadObjects"' in _marked(page)[0]

    def test_a_boundary_limits_the_pasted_policy(self, student_client):
        page = self._custom(student_client, identity_policy=ALLOW_S3, boundary_policy=BOUNDARY_IAM_ONLY,
                            actions="s3:GetObject")
        assert _decisions(page) == ["implicitly denied"]
        assert "permissions boundary" in page

    def test_a_trust_policy_for_assume_role_with_an_external_id(self, student_client):
        identity_policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}}}]})
        fields = {"identity_policy": identity_policy, "resource_policy": trust, "actions": "sts:AssumeRole",
                  "caller_arn": "arn:aws:iam::111122223333:user/alice",
                  "resources": "arn:aws:iam::444455556666:role/Partner"}
        denied = self._custom(student_client, **fields)
        assert _decisions(denied) == ["implicitly denied"]
        assert "partner-42" in denied
        allowed = self._custom(student_client, **fields, context_key_0="sts:ExternalId", context_value_0="partner-42")
        assert _decisions(allowed) == ["allowed"]

    def test_malformed_json_is_kept_with_its_error_line(self, student_client):
        broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",\n'
        page = self._custom(student_client, headers=HTMX, identity_policy=broken, actions="s3:GetObject")
        assert page.strip().startswith('<div id="simulator">')
        assert "MalformedPolicyDocument: Syntax errors in policy. (line 5)" in page
        assert html.escape(broken) in page
        assert 'data-testid="simulation-results"' not in page

    def test_an_invalid_statement_names_its_line(self, student_client):
        bad = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3",\n' \
              '     "Resource": "*"}\n  ]\n}'
        page = self._custom(student_client, identity_policy=bad, actions="s3:GetObject")
        assert "Actions/Conditions must be prefaced by a vendor" in page
        assert "(line 4)" in page

    def test_a_broken_boundary_is_an_error_on_the_boundary(self, student_client):
        page = self._custom(student_client, identity_policy=ALLOW_S3, boundary_policy="{", actions="s3:GetObject")
        error = re.search(r'id="id_boundary_policy_error"><p class="field-error"[^>]*>([^<]*)', page)
        assert error and "MalformedPolicyDocument" in error.group(1)

    def test_custom_mode_needs_an_identity_policy(self, student_client):
        page = self._custom(student_client, actions="s3:GetObject")
        assert "Paste at least an identity-based policy." in page

    def test_a_bad_caller_arn_is_refused(self, student_client):
        page = self._custom(student_client, identity_policy=ALLOW_S3, actions="s3:GetObject", caller_arn="bob")
        assert "The caller is an IAM user, role or role session ARN" in page


@pytest.mark.django_db
class SimulatorInputTests:
    def test_actions_must_name_a_service(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="GetObject, s3:GetObject")
        assert "Enter actions as service:ActionName" in page
        assert "GetObject" in page

    def test_too_many_actions(self, student_client, student):
        actions = ", ".join(f"s3:Action{n}" for n in range(21))
        assert "Simulate at most 20 actions at a time." in _post(student_client, principal="user:student1",
                                                                  actions=actions)

    def test_resources_are_arns(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="s3:GetObject", resources="my-bucket")
        assert "A resource is an ARN (arn:aws:...) or *: my-bucket" in page

    def test_a_context_key_needs_a_value(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="s3:GetObject",
                     context_key_0="aws:SourceIp")
        assert "Enter a value for this key." in page

    def test_a_context_key_has_a_prefix(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="s3:GetObject",
                     context_key_0="SourceIp", context_value_0="1.2.3.4")
        assert "A context key looks like" in page

    def test_too_many_action_and_resource_pairs(self, student_client, student):
        actions = ", ".join(f"s3:Action{n}" for n in range(6))
        resources = "\n".join(f"arn:aws:s3:::bucket{n}" for n in range(9))
        page = _post(student_client, principal="user:student1", actions=actions, resources=resources)
        assert "Simulate at most 50 action and resource pairs at a time." in page

    def test_a_tampered_mode_is_an_error_in_the_form(self, student_client, student):
        page = _post(student_client, mode="both", principal="user:student1", actions="s3:GetObject")
        assert "Select a valid choice. both is not one of the available choices." in page

    def test_a_tampered_row_count_is_ignored(self, student_client, student):
        page = _post(student_client, principal="user:student1", actions="s3:GetObject", context_rows="many")
        assert _decisions(page) == ["allowed"]

    def test_a_principal_is_required(self, student_client, student):
        assert "Choose a user or role." in _post(student_client, actions="s3:GetObject")

    def test_another_learners_user_cannot_be_chosen(self, student_client, student, other_student):
        provisioning.sandbox_provision(user=other_student)
        page = _post(student_client, principal="user:student2", actions="s3:GetObject")
        assert "Select a valid choice." in page
        assert 'data-testid="simulation-results"' not in page

    def test_an_oversized_policy_is_refused_with_a_message(self, student_client):
        page = _post(student_client, mode="custom", identity_policy="x" * 131073, actions="s3:GetObject")
        assert "Ensure this value has at most 131072 characters" in page


@pytest.mark.django_db
class SimulatorPermissionTests:
    def test_a_role_without_simulate_principal_policy_gets_the_denial_in_the_form(self, student_client, student):
        home_role(student, "ListOnly", LIST_ONLY_POLICY)
        switch_to(student_client, student, "ListOnly")
        page = _post(student_client, principal="role:ListOnly", actions="s3:GetObject")
        assert "iam:SimulatePrincipalPolicy" in page
        assert 'data-testid="simulator-error"' in page
        assert "Why?" in page
        assert 'data-testid="simulation-results"' not in page

    def test_the_refused_simulation_is_recorded(self, student_client, student):
        home_role(student, "ListOnly", LIST_ONLY_POLICY)
        switch_to(student_client, student, "ListOnly")
        _post(student_client, principal="role:ListOnly", actions="s3:GetObject")
        event = Event.objects.get(event_name="SimulatePrincipalPolicy")
        assert event.error_code == "AccessDenied"

    def test_users_that_cannot_be_listed_are_explained(self, student_client, student):
        home_role(student, "ListOnly", LIST_ONLY_POLICY)
        switch_to(student_client, student, "ListOnly")
        page = student_client.get(reverse(URL)).content.decode()
        assert "The users and roles of this account cannot be listed" in page
        assert "iam:ListUsers" in page

    def test_when_principals_cannot_be_listed_one_can_be_named(self, student_client, student):
        home_role(student, "Simulator", SIMULATE_ONLY_POLICY)
        switch_to(student_client, student, "Simulator")
        page = _post(student_client, principal="role:Simulator", actions="s3:GetObject")
        assert _decisions(page) == ["implicitly denied"]

    def test_a_named_principal_that_does_not_exist_is_an_error_in_the_form(self, student_client, student):
        home_role(student, "Simulator", SIMULATE_ONLY_POLICY)
        switch_to(student_client, student, "Simulator")
        page = _post(student_client, principal="role:Ghost", actions="s3:GetObject")
        assert "NoSuchEntity: The user or role with name Ghost cannot be found." in page

    def test_a_badly_named_principal_is_refused(self, student_client, student):
        home_role(student, "Simulator", SIMULATE_ONLY_POLICY)
        switch_to(student_client, student, "Simulator")
        assert "Enter user:NAME or role:NAME" in _post(student_client, principal="Ghost", actions="s3:GetObject")

    def test_custom_policies_need_simulate_custom_policy(self, student_client, student):
        home_role(student, "ListOnly", LIST_ONLY_POLICY)
        switch_to(student_client, student, "ListOnly")
        page = _post(student_client, mode="custom", identity_policy=ALLOW_S3, actions="s3:GetObject")
        assert "iam:SimulateCustomPolicy" in page
        assert 'data-testid="simulation-results"' not in page


class PolicyRenderingTests:
    def test_the_marked_statement_is_one_segment(self):
        text = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Sid": "B", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})
        segments = policy_segments(text, decisive={1}, near=set())
        marked = [segment.text for segment in segments if segment.mark == "decisive"]
        assert len(marked) == 1
        assert json.loads(marked[0].strip()) == {"Sid": "B", "Effect": "Deny", "Action": "s3:DeleteBucket",
                                                  "Resource": "*"}

    def test_segments_put_back_together_are_valid_json(self):
        text = json.dumps({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                           "Version": "2012-10-17"})
        segments = policy_segments(text, decisive={0}, near=set())
        assert json.loads("".join(segment.text + segment.end for segment in segments)) == json.loads(text)
        assert [segment.mark for segment in segments] == ["", "decisive", ""]

    def test_text_that_is_not_json_is_shown_as_it_is(self):
        assert [segment.text for segment in policy_segments("not json", decisive={0}, near=set())] == ["not json"]

    def test_explanation_values_in_backticks_become_code(self):
        assert explanation_parts("statement `A` in `P` denies it") == (
            ("statement ", False), ("A", True), (" in ", False), ("P", True), (" denies it", False))

    def test_an_unpaired_backtick_leaves_the_line_alone(self):
        assert explanation_parts("a ` b") == (("a ` b", False),)
