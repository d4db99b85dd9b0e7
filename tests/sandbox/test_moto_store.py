"""The moto cache and the database truth: snapshots, reloads, failed writes, concurrent writers."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from sandbox import moto_store, provisioning, roles
from sandbox.models import Account, AccountSnapshot
from tests.sandbox.helpers import EC2_TRUST


@pytest.fixture
def identity(student):
    return provisioning.learner_identity(user=student)


@pytest.mark.django_db
class MotoStoreTests:
    def test_a_write_stores_a_new_snapshot_version(self, identity):
        before = Account.objects.get(account_id=identity.account_id).version
        roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
        account = Account.objects.get(account_id=identity.account_id)
        assert account.version == before + 1
        assert AccountSnapshot.objects.filter(account=account, token=account.snapshot_token).exists()

    def test_state_comes_back_from_the_database_after_the_cache_is_dropped(self, identity):
        roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
        moto_store.forget_cache()
        assert [role.name for role in roles.roles_snapshot(account_id=identity.account_id)] == ["app"]

    def test_a_failed_write_stores_nothing_and_leaves_the_cache_consistent(self, identity):
        version = Account.objects.get(account_id=identity.account_id).version
        with pytest.raises(RuntimeError), moto_store.account_writer(identity.account_id) as backends:
            backends.iam.create_role("half", EC2_TRUST, "/", None, "", [], "3600")
            raise RuntimeError("boom")
        assert Account.objects.get(account_id=identity.account_id).version == version
        assert roles.roles_snapshot(account_id=identity.account_id) == ()

    def test_a_rolled_back_outer_transaction_is_not_seen_from_the_cache(self, identity):
        with pytest.raises(RuntimeError), transaction.atomic():
            roles.role_create(identity=identity, role_name="ghost", trust_policy=EC2_TRUST)
            raise RuntimeError("roll back")
        assert roles.roles_snapshot(account_id=identity.account_id) == ()

    def test_old_snapshots_are_pruned_but_the_start_state_is_kept(self, identity):
        for index in range(moto_store.SNAPSHOTS_KEPT + 3):
            roles.role_create(identity=identity, role_name=f"r{index}", trust_policy=EC2_TRUST)
        stored = AccountSnapshot.objects.filter(account__account_id=identity.account_id)
        assert stored.filter(is_start=False).count() == moto_store.SNAPSHOTS_KEPT
        assert stored.filter(is_start=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_to_one_account_both_persist(student):
    identity = provisioning.learner_identity(user=student)
    errors: list[BaseException] = []

    def create(name: str) -> None:
        try:
            for index in range(5):
                roles.role_create(identity=identity, role_name=f"{name}-{index}", trust_policy=EC2_TRUST)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    moto_store.forget_cache()
    names = sorted(role.name for role in roles.roles_snapshot(account_id=identity.account_id))
    assert names == sorted(f"{name}-{index}" for name in ("a", "b") for index in range(5))
