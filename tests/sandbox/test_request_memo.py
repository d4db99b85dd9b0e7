"""One API request reads an account row once: what it remembers, and when it must read the database again."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import iam
from sandbox import moto_store, provisioning, request_memo, roles
from sandbox.models import Account, TrustBinding
from sandbox.policy_cache import stored_policy
from sandbox.sts.trust_bindings import bind_trust_policy
from tests.sandbox.helpers import EC2_TRUST


@pytest.fixture
def identity(student):
    return provisioning.learner_identity(user=student)


def _remember(account_id: str) -> None:
    account = Account.objects.get(account_id=account_id)
    request_memo.remember_account(account_id=account_id, pk=account.pk, snapshot_token=account.snapshot_token)


@pytest.mark.django_db
class RequestMemoTests:
    def test_a_reader_in_the_request_asks_the_database_nothing_once_the_row_was_read(self, identity):
        roles.roles_snapshot(account_id=identity.account_id)  # the cache holds the newest state
        with request_memo.request_scope():
            _remember(identity.account_id)
            with CaptureQueriesContext(connection) as queries, moto_store.account_reader(identity.account_id):
                pass
        assert queries.captured_queries == []

    def test_outside_a_request_every_reader_reads_the_stored_token(self, identity):
        with CaptureQueriesContext(connection) as queries, moto_store.account_reader(identity.account_id):
            pass
        assert len(queries.captured_queries) == 1

    def test_a_read_after_a_write_in_the_same_request_sees_the_write(self, identity):
        with request_memo.request_scope():
            _remember(identity.account_id)
            roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
            assert [role.name for role in roles.roles_snapshot(account_id=identity.account_id)] == ["app"]

    def test_a_remembered_token_the_cache_has_moved_past_is_read_again(self, identity):
        """Another thread of this process loaded a newer state: the request reads the row, never goes back."""
        with request_memo.request_scope():
            _remember(identity.account_id)
            roles.role_create(identity=identity, role_name="later", trust_policy=EC2_TRUST)  # not via the memo
            request_memo.remember_token(identity.account_id, "an-older-token")
            with CaptureQueriesContext(connection) as queries:
                names = [role.name for role in roles.roles_snapshot(account_id=identity.account_id)]
        assert names == ["later"]
        assert any("snapshot_token" in query["sql"] for query in queries.captured_queries)

    def test_a_write_made_elsewhere_after_the_request_began_is_seen_by_the_next_request(self, identity):
        with request_memo.request_scope():
            _remember(identity.account_id)
        roles.role_create(identity=identity, role_name="elsewhere", trust_policy=EC2_TRUST)
        moto_store.forget_cache()
        with request_memo.request_scope():
            _remember(identity.account_id)
            assert [role.name for role in roles.roles_snapshot(account_id=identity.account_id)] == ["elsewhere"]

    def test_events_use_the_remembered_account_row(self, identity):
        from sandbox.events import event_record

        with request_memo.request_scope():
            _remember(identity.account_id)
            with CaptureQueriesContext(connection) as queries:
                event = event_record(identity=identity, account_id=identity.account_id, event_name="GetRole")
        assert not any(query["sql"].startswith("SELECT") for query in queries.captured_queries)
        assert event.account.account_id == identity.account_id


@pytest.mark.django_db
def test_a_trust_policy_without_named_principals_drops_the_roles_old_bindings(identity):
    user_trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": identity.arn}, "Action": "sts:AssumeRole"}]})
    roles.role_create(identity=identity, role_name="app", trust_policy=user_trust)
    assert TrustBinding.objects.filter(role_name="app").count() == 1
    with moto_store.account_writer(identity.account_id) as backends:
        bind_trust_policy(backends, "app", EC2_TRUST)
    assert not TrustBinding.objects.filter(role_name="app").exists()


def test_stored_policies_are_parsed_once_and_bad_ones_fail_every_time():
    document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    first = stored_policy(document, name="p", kind=iam.PolicyKind.IDENTITY)
    assert stored_policy(document, name="p", kind=iam.PolicyKind.IDENTITY) is first
    assert stored_policy(document, name="other", kind=iam.PolicyKind.IDENTITY).name == "other"
    for _ in range(2):
        with pytest.raises(iam.PolicySyntaxError):
            stored_policy("{not json", name="bad", kind=iam.PolicyKind.IDENTITY)


@pytest.mark.django_db
def test_a_console_page_reads_the_accounts_stored_version_once(client, student, identity):
    """The role page reads the role, its policies, tags and last use: one look at the account row, not one each."""
    roles.role_create(identity=identity, role_name="app", trust_policy=EC2_TRUST)
    client.force_login(student)
    url = "/console/iam/roles/details/app/"
    client.get(url, HTTP_HOST="localhost")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200
    token_reads = [query["sql"] for query in queries.captured_queries
                   if '"snapshot_token" AS "snapshot_token"' in query["sql"] and identity.account_id in query["sql"]]
    assert len(token_reads) == 1
