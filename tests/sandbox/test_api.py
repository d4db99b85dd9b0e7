"""sandbox.api: console calls run the endpoint's own pipeline (authorized, applied, recorded) in process."""
from __future__ import annotations

import json

import pytest

from sandbox import api, provisioning
from sandbox.errors import AccessDenied, AwsError
from sandbox.models import Event
from sandbox.sts.switch_role import switch_role

pytestmark = pytest.mark.django_db

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def identity(student):
    return provisioning.learner_identity(user=student)


def test_a_call_returns_what_boto3_would_parse_and_is_recorded(identity):
    created = api.iam_call(identity, "CreateRole", {"RoleName": "app", "AssumeRolePolicyDocument": TRUST})
    assert created["Role"]["Arn"] == f"arn:aws:iam::{identity.account_id}:role/app"
    assert [role["RoleName"] for role in api.iam_call(identity, "ListRoles")["Roles"]] == ["app"]
    event = Event.objects.filter(account__account_id=identity.account_id, event_name="CreateRole").get()
    assert event.user_agent == api.CONSOLE_USER_AGENT and event.request_parameters["roleName"] == "app"


def test_iam_refusals_come_back_as_aws_errors(identity):
    with pytest.raises(AwsError) as raised:
        api.iam_call(identity, "GetRole", {"RoleName": "missing"})
    assert (raised.value.code, raised.value.message) == ("NoSuchEntity", "The role with name missing cannot be found.")


def test_missing_parameters_are_a_validation_error(identity):
    with pytest.raises(AwsError) as raised:
        api.iam_call(identity, "CreateRole", {"RoleName": "x"})
    assert raised.value.code == "ValidationError"


def test_a_denial_carries_the_engine_evaluation(identity):
    api.iam_call(identity, "CreateRole", {"RoleName": "reader", "AssumeRolePolicyDocument": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": identity.account_id}, "Action": "sts:AssumeRole"}]})})
    api.iam_call(identity, "AttachRolePolicy", {
        "RoleName": "reader", "PolicyArn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"})
    session = switch_role(user_identity=identity, account=identity.account_id, role_name="reader").identity
    with pytest.raises(AccessDenied) as raised:
        api.iam_call(session, "CreateRole", {"RoleName": "nope", "AssumeRolePolicyDocument": TRUST})
    assert "because no identity-based policy allows the iam:CreateRole action" in raised.value.message
    assert raised.value.extra["evaluation"].decision.name == "IMPLICIT_DENY"


def test_policy_documents_come_back_as_json_text(identity):
    api.iam_call(identity, "CreateRole", {"RoleName": "app", "AssumeRolePolicyDocument": TRUST})
    document = api.iam_call(identity, "GetRole", {"RoleName": "app"})["Role"]["AssumeRolePolicyDocument"]
    assert json.loads(document) == json.loads(TRUST)
