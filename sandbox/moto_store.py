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

from django.db import OperationalError, transaction

from sandbox.errors import SandboxUnavailable, StaleSnapshot
from sandbox.models import Account, AccountSnapshot

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

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
    """The moto services whose per-account state a snapshot holds."""
    from moto.iam.models import iam_backends

    return {"iam": iam_backends}


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

        mock_aws().start()
        _started = True


@dataclass(frozen=True, slots=True)
class AccountBackends:
    """The moto backends of one account; valid only inside `account_reader` / `account_writer`."""

    account_id: str

    @property
    def iam(self) -> IAMBackend:
        return _backend_dicts()["iam"][self.account_id]["global"]


def _drop_cached(account_id: str) -> None:
    for backends in _backend_dicts().values():
        dict.pop(backends, account_id, None)
    _loaded_tokens.pop(account_id, None)


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
        restored = pickle.loads(bytes(data))  # noqa: S301 - our own database, written by account_writer
        backend_dicts = _backend_dicts()
        for name, account_backend in restored.items():
            dict.__setitem__(backend_dicts[name], account_id, account_backend)
    _loaded_tokens[account_id] = token


@contextmanager
def account_reader(account_id: str) -> Iterator[AccountBackends]:
    """Read access to the newest stored state of an account."""
    _ensure_started()
    try:
        token = Account.objects.values_list("snapshot_token", flat=True).get(account_id=account_id)
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
    try:
        with transaction.atomic():
            account = Account.objects.select_for_update().get(account_id=account_id)
            with _LOCK:
                _sync(account_id, account.snapshot_token)
                try:
                    yield AccountBackends(account_id)
                    _save_snapshot(account)
                except BaseException:
                    _drop_cached(account_id)
                    raise
    except OperationalError as exc:
        raise SandboxUnavailable(str(exc)) from exc


def _check_moto_version(account_id: str, moto_version: str) -> None:
    """Refuse, loudly, a snapshot pickled by another moto version: its objects may not mean the same any more."""
    if moto_version != MOTO_VERSION:
        raise StaleSnapshot(STALE_SNAPSHOT.format(account=account_id, stored=moto_version, running=MOTO_VERSION))


def _save_snapshot(account: Account, *, blob: bytes | None = None) -> None:
    if blob is None:
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
            _save_snapshot(account, blob=bytes(start.data))
            _loaded_tokens.pop(account_id, None)  # loaded from the database on next use
