"""Operator commands: create_learner --json, reset_sandbox, sandbox_stats; stale snapshots refused loudly."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sandbox import moto_store, provisioning, roles
from sandbox.errors import StaleSnapshot
from sandbox.models import AccountSnapshot, Sandbox
from tests.sandbox.helpers import EC2_TRUST


def _command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class CreateLearnerTests:
    def test_prints_the_learners_world_as_json(self):
        data = json.loads(_command("create_learner", "carol", "--json"))
        assert data["username"] == "carol"
        assert data["organization_id"].startswith("o-")
        assert {account["alias"] for account in data["accounts"]} == {"management", "dev", "prod"}
        assert data["iam_user_arn"] == f"arn:aws:iam::{data['home_account_id']}:user/carol"
        assert data["access_key_id"].startswith("AKIA") and len(data["secret_access_key"]) == 40
        assert (data["region"], data["endpoint_path"]) == ("us-east-1", "/aws/")

    def test_a_second_call_returns_the_same_learner(self):
        first = json.loads(_command("create_learner", "carol", "--json"))
        second = json.loads(_command("create_learner", "carol", "--json"))
        assert first == second

    def test_the_password_lets_them_sign_in(self, client):
        _command("create_learner", "dave", "--password", "a-long-passphrase", "--json")
        assert client.login(username="dave", password="a-long-passphrase")


@pytest.mark.django_db
class ResetSandboxTests:
    def test_reset_restores_the_start_state_and_keeps_history(self, student):
        identity = provisioning.learner_identity(user=student)
        roles.role_create(identity=identity, role_name="scratch", trust_policy=EC2_TRUST)
        output = _command("reset_sandbox", "student1")
        assert identity.account_id in output
        assert roles.roles_snapshot(account_id=identity.account_id) == ()
        moto_store.forget_cache()
        assert roles.roles_snapshot(account_id=identity.account_id) == ()
        assert AccountSnapshot.objects.filter(account__account_id=identity.account_id, is_start=True).count() == 1

    def test_member_accounts_keep_their_access_role_after_a_reset(self, student):
        sandbox = provisioning.sandbox_provision(user=student)
        _command("reset_sandbox", "student1")
        dev = sandbox.accounts.get(alias="dev")
        names = [role.name for role in roles.roles_snapshot(account_id=dev.account_id)]
        assert names == ["OrganizationAccountAccessRole"]

    def test_reset_removes_instances_and_functions(self, student):
        from django.utils import timezone

        from sandbox.models import Ec2Instance, LambdaFunction

        sandbox = provisioning.sandbox_provision(user=student)
        home = sandbox.accounts.get(is_home=True)
        Ec2Instance.objects.create(account=home, instance_id="i-0123456789abcdef0", image_id="ami-1",
                                   instance_type="t3.micro", region="us-east-1", launched_at=timezone.now(),
                                   state_changed_at=timezone.now(), reservation_id="r-1", private_ip="10.0.0.1")
        LambdaFunction.objects.create(account=home, name="fn", region="us-east-1", runtime="python3.12",
                                      role_arn=f"arn:aws:iam::{home.account_id}:role/x", handler="a.b",
                                      code_size=1, code_sha256="x", last_modified=timezone.now(), revision_id="r")
        _command("reset_sandbox", "student1")
        assert not Ec2Instance.objects.filter(account=home).exists()
        assert not LambdaFunction.objects.filter(account=home).exists()

    def test_an_unknown_learner_is_an_error(self, db):
        with pytest.raises(CommandError, match="nobody has no sandbox"):
            _command("reset_sandbox", "nobody")


@pytest.mark.django_db
def test_stats_count_learners_accounts_and_bytes(student, other_student):
    provisioning.sandbox_provision(user=student)
    provisioning.sandbox_provision(user=other_student)
    output = _command("sandbox_stats")
    assert "learners                2" in output
    assert "accounts                6" in output


@pytest.mark.django_db
def test_a_snapshot_from_another_moto_version_is_refused_loudly(student):
    identity = provisioning.learner_identity(user=student)
    AccountSnapshot.objects.filter(account__account_id=identity.account_id).update(moto_version="4.0.0")
    moto_store.forget_cache()
    with pytest.raises(StaleSnapshot, match="stored by moto 4.0.0"):
        roles.roles_snapshot(account_id=identity.account_id)


@pytest.mark.django_db
def test_provisioned_state_is_small(student):
    sandbox = provisioning.sandbox_provision(user=student)
    sizes = [len(bytes(snapshot.data)) for snapshot in AccountSnapshot.objects.filter(account__sandbox=sandbox)]
    assert sum(sizes) < 100_000
    assert Sandbox.objects.count() == 1


@pytest.mark.django_db
def test_events_older_than_the_retention_are_pruned(student, settings):
    from datetime import UTC, datetime, timedelta

    from sandbox.events import events_prune
    from sandbox.models import Event

    identity = provisioning.learner_identity(user=student)
    roles.role_create(identity=identity, role_name="old", trust_policy=EC2_TRUST)
    roles.role_create(identity=identity, role_name="new", trust_policy=EC2_TRUST)
    old = Event.objects.get(request_parameters__roleName="old")
    Event.objects.filter(pk=old.pk).update(event_time=datetime.now(UTC) - timedelta(days=91))
    settings.EVENT_RETENTION_DAYS = 90
    assert events_prune() == 1
    assert list(Event.objects.values_list("request_parameters__roleName", flat=True)) == ["new"]
    assert "deleted 0 event(s)" in _command("prune_events")
