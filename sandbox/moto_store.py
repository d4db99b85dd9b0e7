"""One process-wide moto mock behind a lock; accounts are loaded from and saved to database snapshots.

moto's memory is only a cache. The truth is `AccountSnapshot` in the database: every mutation runs inside
`account_writer`, which locks the account row, brings the cached backends up to the stored snapshot, applies the
change and stores a new snapshot in the same transaction. Any process (gunicorn worker, Celery worker) can therefore
serve any learner, and concurrent writers to one account are serialised by the row lock instead of losing a write.
"""
from __future__ import annotations

import os
import pickle
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, OperationalError, transaction

from sandbox import request_memo
from sandbox.errors import SandboxUnavailable, StaleSnapshot
from sandbox.models import Account, AccountSnapshot, Bucket

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend
    from moto.s3.models import S3Backend

MOTO_VERSION = package_version("moto")
SNAPSHOTS_KEPT = 5
STALE_SNAPSHOT = (
    "account {account} was stored by moto {stored} but this process runs moto {running}: pin moto back to {stored}, "
    "or reset the sandbox (manage.py reset_sandbox) after re-provisioning its start state; see README, Upgrading moto"
)

# INVARIANT: every read or write of moto state happens while holding _LOCK (moto is not thread-safe).
_LOCK = threading.RLock()
_loaded_tokens: dict[str, str] = {}
_started = False


def _backend_dicts() -> dict[str, Any]:
    """The moto services whose per-account state a snapshot holds (older snapshots may lack some: they start empty)."""
    from moto.iam.models import iam_backends
    from moto.s3.models import s3_backends

    return {"iam": iam_backends, "s3": s3_backends}


class BucketNameTaken(Exception):
    """A write would give an account a bucket whose name another account already owns (names are global)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _ensure_started() -> None:
    """Start the one moto mock of this process. It is never stopped: stopping wipes every learner's state."""
    global _started
    if _started:
        return
    with _LOCK:
        if _started:
            return
        os.environ["MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS"] = "false"
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "false"
        from moto import mock_aws

        from sandbox import moto_ids

        moto_ids.install()
        mock_aws().start()
        _started = True


@dataclass(frozen=True, slots=True)
class AccountBackends:
    """The moto backends of one account; valid only inside `account_reader` / `account_writer`."""

    account_id: str

    @property
    def iam(self) -> IAMBackend:
        return _backend_dicts()["iam"][self.account_id]["global"]

    @property
    def s3(self) -> S3Backend:
        return _backend_dicts()["s3"][self.account_id]["aws"]


def _drop_cached(account_id: str) -> None:
    dropped = {name: dict.pop(backends, account_id, None) for name, backends in _backend_dicts().items()}
    _s3_forget(account_id, dropped["s3"])
    _loaded_tokens.pop(account_id, None)


# S3 keeps one global side table, `s3_backends.bucket_accounts` (bucket name -> (partition, account)), that moto fills
# when it constructs a bucket; unpickling does not, and dropping an account's backends does not empty it. A stale
# entry makes moto answer BucketAlreadyExists for a free name, or recurse forever looking for the bucket in an
# account that no longer holds it (moto-facts §6). INVARIANT: an entry names an account whose cached state holds
# the bucket; `bucket_cache_reconcile` repairs what another process's writes made stale.


def _s3_buckets(per_account: Any) -> dict[str, tuple[str, Any]]:
    """The buckets of one account's cached S3 state: name -> (partition, FakeBucket)."""
    if per_account is None:
        return {}
    return {name: (partition, bucket) for partition, backend in dict.items(per_account) for name, bucket in
            backend.buckets.items()}


def _s3_register(account_id: str) -> None:
    from moto.s3.models import s3_backends

    for name, (partition, _bucket) in _s3_buckets(dict.get(s3_backends, account_id)).items():
        s3_backends.bucket_accounts[name] = (partition, account_id)


def _s3_forget(account_id: str, per_account: Any) -> None:
    """Take a dropped account out of the bucket registry and free its objects' buffers."""
    from moto.s3.models import s3_backends

    registry = s3_backends.bucket_accounts
    for name in [name for name, (_partition, owner) in registry.items() if owner == account_id]:
        del registry[name]
    for _partition, bucket in _s3_buckets(per_account).values():
        _s3_forget_bucket(bucket)


def bucket_cache_reconcile(name: str, owner_account_id: str | None) -> None:
    """Make the cached bucket registry agree with the database: an account still caching `name` although the
    database gives it to another account (or to none) is stale, so it is dropped and reloaded on its next use."""
    from moto.s3.models import s3_backends

    with _LOCK:
        entry = s3_backends.bucket_accounts.get(name)
        if entry is not None and entry[1] != owner_account_id:
            _drop_cached(entry[1])


def _store_bucket_names(account: Account) -> None:
    """Keep `Bucket` rows equal to the account's buckets, in the snapshot's transaction."""
    from moto.s3.models import s3_backends

    names = set(_s3_buckets(dict.get(s3_backends, account.account_id)))
    stored = set(Bucket.objects.filter(account=account).values_list("name", flat=True))
    if stored - names:
        Bucket.objects.filter(account=account, name__in=stored - names).delete()
    new = sorted(names - stored)
    if not new:
        return
    taken = Bucket.objects.filter(name__in=new).values_list("name", flat=True).first()
    if taken is not None:
        raise BucketNameTaken(taken)
    try:
        with transaction.atomic():
            Bucket.objects.bulk_create([Bucket(name=name, account=account) for name in new])
    except IntegrityError as exc:  # another process stored the same name between the check and the insert
        raise BucketNameTaken(new[0]) from exc


def _release_taken_buckets(account: Account) -> None:
    """Remove from the cached state the buckets whose names another account has taken since (before a restore)."""
    from moto.s3.models import s3_backends

    per_account: Any = dict.get(s3_backends, account.account_id)
    buckets = _s3_buckets(per_account)
    taken = set(Bucket.objects.filter(name__in=buckets).exclude(account=account).values_list("name", flat=True))
    for name in taken:
        partition, bucket = buckets[name]
        _s3_forget_bucket(bucket)
        del dict.__getitem__(per_account, partition).buckets[name]


def _s3_forget_bucket(bucket: Any) -> None:
    """Close the buffers of a thrown-away bucket's objects: moto keeps every model instance it ever made
    (`instances_tracked`), so without this their bytes would stay in memory."""
    from moto.s3.models import FakeKey

    for _key_name, versions in bucket.keys.lists():
        for key in versions:
            if isinstance(key, FakeKey):
                key.dispose()
    for multipart in bucket.multiparts.values():
        multipart.dispose()


def _sync(account_id: str, token: str) -> None:
    """Make the cached backends of `account_id` equal to the stored snapshot named `token`."""
    if _loaded_tokens.get(account_id) == token:
        return
    _drop_cached(account_id)
    if token:
        try:
            data, moto_version = AccountSnapshot.objects.values_list("data", "moto_version").get(
                account__account_id=account_id, token=token
            )
        except AccountSnapshot.DoesNotExist as exc:
            # Pruned by writers that got SNAPSHOTS_KEPT versions ahead since the token was read: retry later.
            raise SandboxUnavailable(f"snapshot {token} of account {account_id} is gone") from exc
        _check_moto_version(account_id, moto_version)
        _load(account_id, bytes(data))
        _s3_register(account_id)
    _loaded_tokens[account_id] = token


def _load(account_id: str, data: bytes) -> None:
    restored = pickle.loads(data)  # noqa: S301 - our own database, written by account_writer
    backend_dicts = _backend_dicts()
    for name, account_backend in restored.items():
        dict.__setitem__(backend_dicts[name], account_id, account_backend)


@contextmanager
def account_reader(account_id: str) -> Iterator[AccountBackends]:
    """Read access to the newest stored state of an account."""
    _ensure_started()
    try:
        with _LOCK:
            remembered = request_memo.remembered_token(account_id)
            if remembered is not None and _loaded_tokens.get(account_id) == remembered:
                yield AccountBackends(account_id)
                return
        pk, token = Account.objects.values_list("pk", "snapshot_token").get(account_id=account_id)
        request_memo.remember_account(account_id=account_id, pk=pk, snapshot_token=token)
        with _LOCK:
            _sync(account_id, token)
            yield AccountBackends(account_id)
    except OperationalError as exc:
        raise SandboxUnavailable(str(exc)) from exc


@contextmanager
def account_writer(account_id: str) -> Iterator[AccountBackends]:
    """Change an account: row-locked, applied to the newest state, saved as a new snapshot atomically.

    If the body raises, nothing is stored and the cached copy is dropped (it may be half-changed).
    """
    _ensure_started()
    request_memo.forget_token(account_id)
    try:
        with transaction.atomic():
            account = Account.objects.select_for_update().get(account_id=account_id)
            with _LOCK:
                _sync(account_id, account.snapshot_token)
                try:
                    buckets_before = _bucket_names(account_id)
                    yield AccountBackends(account_id)
                    _save_snapshot(account, buckets_changed=_bucket_names(account_id) != buckets_before)
                except BaseException:
                    _drop_cached(account_id)
                    raise
    except OperationalError as exc:
        raise SandboxUnavailable(str(exc)) from exc


def _check_moto_version(account_id: str, moto_version: str) -> None:
    """Refuse, loudly, a snapshot pickled by another moto version: its objects may not mean the same any more."""
    if moto_version != MOTO_VERSION:
        raise StaleSnapshot(STALE_SNAPSHOT.format(account=account_id, stored=moto_version, running=MOTO_VERSION))


def _bucket_names(account_id: str) -> set[str]:
    from moto.s3.models import s3_backends

    return set(_s3_buckets(dict.get(s3_backends, account_id)))


def _save_snapshot(account: Account, *, buckets_changed: bool = True) -> None:
    """Store the account's cached state as its newest snapshot. `Bucket` rows equal the buckets of the stored
    state (same transaction), so a write that left the account's bucket names alone need not compare them."""
    if buckets_changed:
        _store_bucket_names(account)
    backend_dicts = _backend_dicts()
    blob = pickle.dumps({name: backends[account.account_id] for name, backends in backend_dicts.items()})
    token = uuid.uuid4().hex
    account.version += 1
    account.snapshot_token = token
    account.save(update_fields=["version", "snapshot_token"])
    AccountSnapshot.objects.create(
        account=account, version=account.version, token=token, moto_version=MOTO_VERSION, data=blob
    )
    AccountSnapshot.objects.filter(
        account=account, version__lte=account.version - SNAPSHOTS_KEPT, is_start=False
    ).delete()
    # If an enclosing transaction rolls back, the stored token differs from this one and the next access reloads.
    _loaded_tokens[account.account_id] = token


def forget_cache() -> None:
    """Drop every cached account (tests use this to prove that state comes back from the database)."""
    with _LOCK:
        for account_id in list(_loaded_tokens):
            _drop_cached(account_id)


def mark_start_state(account_id: str) -> None:
    """Record the account's current snapshot as the start state that `restore_start_state` goes back to."""
    with transaction.atomic():
        account = Account.objects.select_for_update().get(account_id=account_id)
        AccountSnapshot.objects.filter(account=account, is_start=True).update(is_start=False)
        AccountSnapshot.objects.filter(account=account, token=account.snapshot_token).update(is_start=True)


def restore_start_state(account_id: str) -> None:
    """Make the account's recorded start state its newest version again (a new version: history is kept)."""
    _ensure_started()
    with transaction.atomic():
        account = Account.objects.select_for_update().get(account_id=account_id)
        start = AccountSnapshot.objects.filter(account=account, is_start=True).first()
        if start is None:
            raise StaleSnapshot(f"account {account_id} has no recorded start state")
        _check_moto_version(account_id, start.moto_version)
        with _LOCK:
            _drop_cached(account_id)
            try:
                # Loaded, not copied: the bucket registry must follow the restored state. A bucket whose name
                # another account took meanwhile cannot come back (names are global), so it is left out.
                _load(account_id, bytes(start.data))
                _release_taken_buckets(account)
                _s3_register(account_id)
                _save_snapshot(account)
            except BaseException:
                _drop_cached(account_id)
                raise
