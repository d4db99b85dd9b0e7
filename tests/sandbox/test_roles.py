"""Roles in the sandbox: AWS's validation rules and messages, authorization by the engine, events."""
from __future__ import annotations

import json

import pytest

from sandbox import events, moto_store, provisioning, roles
from sandbox.errors import AccessDenied, EntityAlreadyExists, MalformedPolicyDocument, NoSuchEntity, ValidationError
from sandbox.models import Event
from tests.sandbox.helpers import EC2_TRUST


@pytest.fixture
def identity(student):
    return provisioning.learner_identity(user=student)


def _events(identity, name):
    return list(Event.objects.filter(account__account_id=identity.account_id, event_name=name))


@pytest.mark.django_db
class RoleCreateTests:
    def test_creates_the_role_with_the_trust_policy_as_written(self, identity):
        role = roles.role_create(identity=identity, role_name="FirstEc2Role", trust_policy=EC2_TRUST)
        assert role.arn == f"arn:aws:iam::{identity.account_id}:role/FirstEc2Role"
        assert role.role_id.startswith("AROA")
        assert roles.role_get(identity=identity, role_name="FirstEc2Role").trust_policy == EC2_TRUST

    def test_records_a_create_role_event_with_the_caller(self, identity):
        roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
        (event,) = _events(identity, "CreateRole")
        assert event.user_identity["arn"] == identity.arn
        assert event.error_code == ""
        assert event.request_parameters["roleName"] == "app"

    def test_names_are_unique_ignoring_case(self, identity):
        roles.role_create(identity=identity, role_name="ProdRole", trust_policy=EC2_TRUST)
        with pytest.raises(EntityAlreadyExists, match="Role with name PRODROLE already exists."):
            roles.role_create(identity=identity, role_name="PRODROLE", trust_policy=EC2_TRUST)

    @pytest.mark.parametrize("name", ["has space", "slash/name", "ünïcode", "star*"])
    def test_names_outside_iam_characters_are_rejected(self, identity, name):
        with pytest.raises(ValidationError, match="regular expression pattern"):
            roles.role_create(identity=identity, role_name=name, trust_policy=EC2_TRUST)

    def test_names_longer_than_64_are_rejected(self, identity):
        with pytest.raises(ValidationError, match="less than or equal to 64"):
            roles.role_create(identity=identity, role_name="r" * 65, trust_policy=EC2_TRUST)

    def test_malformed_json_is_a_malformed_policy_document_and_creates_nothing(self, identity):
        with pytest.raises(MalformedPolicyDocument) as caught:
            roles.role_create(identity=identity, role_name="app", trust_policy='{"Version": "2012-10-17",')
        assert caught.value.extra["line"] == 1
        assert roles.roles_snapshot(account_id=identity.account_id) == ()

    def test_a_failed_call_is_recorded_with_its_error_code(self, identity):
        with pytest.raises(MalformedPolicyDocument):
            roles.role_create(identity=identity, role_name="app", trust_policy="not json")
        (event,) = _events(identity, "CreateRole")
        assert event.error_code == "MalformedPolicyDocument"

    def test_a_trust_policy_naming_a_missing_role_of_the_account_is_rejected(self, identity):
        ghost = f"arn:aws:iam::{identity.account_id}:role/ghost"
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sts:AssumeRole"}]})
        with pytest.raises(MalformedPolicyDocument, match=f'Invalid principal in policy: "AWS":"{ghost}"'):
            roles.role_create(identity=identity, role_name="app", trust_policy=policy)

    def test_a_trust_policy_over_the_2048_character_quota_is_rejected(self, identity):
        services = [f"service{index:04d}.amazonaws.com" for index in range(100)]
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}]})
        with pytest.raises(MalformedPolicyDocument, match="ACLSizePerRole: 2048"):
            roles.role_create(identity=identity, role_name="app", trust_policy=policy)

    def test_description_outside_the_allowed_characters_is_rejected(self, identity):
        with pytest.raises(ValidationError, match="description"):
            roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST, description="설명")


@pytest.mark.django_db
class RoleAuthorizationTests:
    @pytest.fixture
    def powerless(self, identity):
        with moto_store.account_writer(identity.account_id) as backends:
            backends.iam.detach_user_policy(provisioning.ADMINISTRATOR_ACCESS_ARN, identity.name)
        return identity

    def test_a_user_without_iam_create_role_is_denied_by_the_engine(self, powerless):
        with pytest.raises(AccessDenied, match="no identity-based policy allows the iam:CreateRole action"):
            roles.role_create(identity=powerless, role_name="app", trust_policy=EC2_TRUST)
        assert roles.roles_snapshot(account_id=powerless.account_id) == ()

    def test_the_denial_is_recorded(self, powerless):
        with pytest.raises(AccessDenied):
            roles.role_list(identity=powerless)
        (event,) = _events(powerless, "ListRoles")
        assert event.error_code == "AccessDenied"

    def test_an_explicit_deny_beats_the_administrator_policy(self, identity):
        deny = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "*"}]})
        with moto_store.account_writer(identity.account_id) as backends:
            backends.iam.put_user_policy(identity.name, "NoRoles", deny)
        with pytest.raises(AccessDenied, match="explicit deny"):
            roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)


@pytest.mark.django_db
class RoleReadTests:
    def test_list_is_sorted_by_name_ignoring_case(self, identity):
        for name in ("beta", "Alpha", "gamma"):
            roles.role_create(identity=identity, role_name=name, trust_policy=EC2_TRUST)
        assert [role.name for role in roles.role_list(identity=identity)] == ["Alpha", "beta", "gamma"]

    def test_getting_a_missing_role_is_no_such_entity(self, identity):
        with pytest.raises(NoSuchEntity, match="The role with name nope cannot be found."):
            roles.role_get(identity=identity, role_name="nope")

    def test_one_learner_never_sees_another_learners_roles(self, identity, other_student):
        roles.role_create(identity=identity, role_name="mine", trust_policy=EC2_TRUST)
        theirs = provisioning.learner_identity(user=other_student)
        assert roles.role_list(identity=theirs) == ()
        with pytest.raises(NoSuchEntity):
            roles.role_get(identity=theirs, role_name="mine")


@pytest.mark.django_db
class IdentityPolicySourcesTests:
    """Managed and group policies count, as in AWS, not only inline ones."""

    @pytest.fixture
    def bare(self, identity):
        with moto_store.account_writer(identity.account_id) as backends:
            backends.iam.detach_user_policy(provisioning.ADMINISTRATOR_ACCESS_ARN, identity.name)
        return identity

    def _managed(self, backends, name, document):
        return backends.iam.create_policy(
            description="", path="/", policy_document=json.dumps(document), policy_name=name, tags=[]
        )

    def test_an_attached_customer_managed_policy_grants(self, bare):
        allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*Role*", "Resource": "*"}]}
        with moto_store.account_writer(bare.account_id) as backends:
            policy = self._managed(backends, "RoleAdmin", allow)
            backends.iam.attach_user_policy(policy.arn, bare.name)
        assert roles.role_create(identity=bare, role_name="app", trust_policy=EC2_TRUST).name == "app"

    def test_a_group_policy_grants(self, bare):
        allow = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "iam:CreateRole", "Resource": "*"}]}
        with moto_store.account_writer(bare.account_id) as backends:
            backends.iam.create_group("admins", "/")
            backends.iam.add_user_to_group("admins", bare.name)
            backends.iam.put_group_policy("admins", "CreateRoles", json.dumps(allow))
        assert roles.role_create(identity=bare, role_name="app", trust_policy=EC2_TRUST).name == "app"

    def test_a_group_managed_policy_deny_wins(self, identity):
        deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "*"}]}
        with moto_store.account_writer(identity.account_id) as backends:
            policy = self._managed(backends, "NoRoles", deny)
            backends.iam.create_group("limited", "/")
            backends.iam.add_user_to_group("limited", identity.name)
            backends.iam.attach_group_policy(policy.arn, "limited")
        with pytest.raises(AccessDenied, match="explicit deny"):
            roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)


@pytest.mark.django_db
def test_console_reads_are_recorded_as_read_only_events(identity):
    roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
    roles.role_list(identity=identity)
    roles.role_get(identity=identity, role_name="app")
    reads = Event.objects.filter(account__account_id=identity.account_id, read_only=True)
    assert sorted(reads.values_list("event_name", flat=True)) == ["GetRole", "ListRoles"]


@pytest.mark.django_db
class EventSearchTests:
    @pytest.fixture
    def history(self, identity):
        roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
        roles.role_create(identity=identity, role_name="db", trust_policy=EC2_TRUST)
        with pytest.raises(EntityAlreadyExists):
            roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
        return identity

    def test_by_event_name(self, history):
        found = events.event_search(account_id=history.account_id, event_name="CreateRole")
        assert len(found) == 3

    def test_errors_only(self, history):
        (failed,) = events.event_search(account_id=history.account_id, errors_only=True)
        assert failed.error_code == "EntityAlreadyExists"

    def test_by_resource(self, history):
        found = events.event_search(account_id=history.account_id, resource_name="db")
        assert [event.request_parameters["roleName"] for event in found] == ["db"]

    def test_by_user_and_time(self, history):
        from datetime import UTC, datetime, timedelta

        now = datetime.now(UTC)
        assert len(events.event_search(account_id=history.account_id, username=history.name, since=now
                                       - timedelta(minutes=5))) == 3
        assert events.event_search(account_id=history.account_id, until=now - timedelta(days=1)) == []
        assert events.event_search(account_id=history.account_id, username="someone-else") == []
