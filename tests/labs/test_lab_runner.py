"""Setups and solutions run through real boto3 and the real endpoint in process; grading reads the result."""
from __future__ import annotations

import pytest
from django.urls import reverse

from labs.models import Lab, LabStart
from labs.services.lab_runner import LabRunError, apply_setup, learner_variables, run_calls
from labs.services.world import grade_context_for
from sandbox.models import Event
from sandbox.provisioning import sandbox_provision

pytestmark = pytest.mark.django_db

TRUST_PARTNER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "{{ account.partner }}"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"sts:ExternalId": "{{ external_id }}"}}}]}
DEFINITION = {
    "uuid": "6f5f2e8e-0000-4000-8000-000000000001", "slug": "runner-test", "version": 1,
    "variants": {"external_id": {"kind": "token", "length": 10}},
    "setup": {"accounts": [{"alias": "partner"}], "calls": [
        {"as": "partner", "action": "CreateRole", "params": {"RoleName": "automation", "AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "{{ account.partner }}"},
                                                    "Action": "sts:AssumeRole"}]}}}]},
    "checks": [],
}


@pytest.fixture
def sandbox(student):
    return sandbox_provision(user=student)


def test_setup_adds_the_partner_account_and_runs_its_calls_there(sandbox):
    variables = apply_setup(sandbox, DEFINITION)
    partner = sandbox.accounts.get(alias="partner")
    assert variables["account.partner"] == partner.account_id
    ctx = grade_context_for(sandbox, variables)
    assert "automation" in ctx.account("partner").roles
    assert not ctx.account("partner").in_organization
    # Setup calls are the lab's, not the learner's: grading does not see them as activity.
    assert Event.objects.filter(account=partner, event_name="CreateRole").exists()
    assert not [event for event in ctx.events if event.name == "CreateRole"]


def test_a_solution_runs_as_the_learner_and_counts_as_activity(sandbox):
    variables = apply_setup(sandbox, DEFINITION)
    run_calls(sandbox, [{"action": "CreateRole", "params": {"RoleName": "PartnerAccess",
                                                            "AssumeRolePolicyDocument": TRUST_PARTNER}},
                        {"as": "partner", "service": "sts", "action": "AssumeRole", "save": "p",
                         "params": {"RoleArn": "arn:aws:iam::{{ account.management }}:role/PartnerAccess",
                                    "RoleSessionName": "partner", "ExternalId": "{{ external_id }}"}},
                        {"as": "session:p", "service": "sts", "action": "GetCallerIdentity"}], variables)
    ctx = grade_context_for(sandbox, variables)
    assert ctx.role("PartnerAccess") is not None
    assumed = [event for event in ctx.events if event.name == "AssumeRole"]
    assert assumed and assumed[0].record["requestParameters"]["externalId"] == variables["external_id"]


def test_a_refused_call_names_itself_unless_errors_are_tolerated(sandbox):
    variables = learner_variables(sandbox, DEFINITION)
    bad = [{"action": "GetRole", "params": {"RoleName": "missing"}}]
    with pytest.raises(LabRunError, match="iam:GetRole failed: NoSuchEntity"):
        run_calls(sandbox, bad, variables)
    run_calls(sandbox, bad, variables, tolerate_errors=True)


def test_mfa_codes_lambda_zips_and_console_switches(sandbox, monkeypatch):
    monkeypatch.setattr("sandbox.mfa.totp_now", lambda: 1_800_000_000.0)
    variables = learner_variables(sandbox, DEFINITION)
    serial = f"arn:aws:iam::{variables['account.management']}:mfa/lab-device"
    lambda_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    run_calls(sandbox, [
        {"action": "CreateVirtualMFADevice", "params": {"VirtualMFADeviceName": "lab-device"}},
        {"action": "EnableMFADevice", "params": {"UserName": "{{ user.name }}", "SerialNumber": serial,
                                                 "AuthenticationCode1": {"totp": serial},
                                                 "AuthenticationCode2": {"totp": serial}}},
        {"service": "sts", "action": "GetSessionToken", "params": {"SerialNumber": serial,
                                                                   "TokenCode": {"totp": serial}}},
        {"action": "CreateRole", "params": {"RoleName": "fn-role", "AssumeRolePolicyDocument": lambda_trust}},
        {"service": "lambda", "action": "CreateFunction", "params": {
            "FunctionName": "fn", "Runtime": "python3.12", "Handler": "app.handler",
            "Role": "arn:aws:iam::{{ account.management }}:role/fn-role",
            "Code": {"ZipFile": {"zip": {"app.py": "def handler(event, context):\n    return event\n"}}}}},
        {"service": "console", "action": "SwitchRole", "params": {
            "account": "dev", "role_name": "OrganizationAccountAccessRole", "display_name": "Dev", "color": "green"}},
    ], variables)
    ctx = grade_context_for(sandbox, variables)
    assert ctx.account(None).users[variables["user.name"]].mfa_devices == (serial,)
    assert list(ctx.functions.values()) == [f"arn:aws:iam::{variables['account.management']}:role/fn-role"]
    (switch,) = ctx.console_switches
    assert (switch.display_name, switch.color) == ("Dev", "green")
    assert any(event.name == "GetSessionToken" and event.succeeded for event in ctx.events)


def test_start_applies_the_setup_once_and_reset_starts_over(client, student, sandbox):
    lab = Lab.objects.create(slug="runner-test", title_en="t", title_ko="t", brief_en="Use `{{ external_id }}`.",
                             brief_ko="b", difficulty="beginner", estimated_minutes=5, version=1,
                             definition=DEFINITION, uuid=DEFINITION["uuid"])
    client.force_login(student)
    page = client.get(reverse("labs:lab-detail", args=[lab.slug])).content.decode()
    assert "Start lab" in page
    assert learner_variables(sandbox, DEFINITION)["external_id"] in page
    client.post(reverse("labs:lab-start", args=[lab.slug]))
    client.post(reverse("labs:lab-start", args=[lab.slug]))
    assert sandbox.accounts.filter(alias="partner").count() == 1
    assert LabStart.objects.filter(student=student, lab=lab).count() == 1
    assert "Start lab" not in client.get(reverse("labs:lab-detail", args=[lab.slug])).content.decode()
    run_calls(sandbox, [{"action": "CreateRole", "params": {"RoleName": "scratch", "AssumeRolePolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}}}],
              learner_variables(sandbox, DEFINITION))
    client.post(reverse("labs:lab-reset", args=[lab.slug]))
    ctx = grade_context_for(sandbox)
    assert ctx.role("scratch") is None and "automation" in ctx.account("partner").roles


def test_unpublished_labs_are_hidden_from_students(client, student):
    Lab.objects.create(slug="hidden", title_en="t", title_ko="t", brief_en="b", brief_ko="b", difficulty="beginner",
                       estimated_minutes=5, version=1, definition={"checks": []}, published=False)
    client.force_login(student)
    assert client.get(reverse("labs:lab-detail", args=["hidden"])).status_code == 404
    assert client.post(reverse("labs:submission-create", args=["hidden"])).status_code == 404
