"""What one API request has already read about an account, so that it reads it once.

A request is one point in time: once it has read an account's stored snapshot token (the access-key lookup reads it
with the key's owner), later readers in the same request need not ask the database again, as long as this process's
cached state is still that very snapshot. Writers never use the memo (they lock the row and read afresh) and forget
what it held, so a read after a write in the same request reads the database again.

Outside `request_scope` (Celery tasks, management commands) nothing is remembered.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class _Memo:
    tokens: dict[str, str] = field(default_factory=dict)
    account_pks: dict[str, int] = field(default_factory=dict)


_current: ContextVar[_Memo | None] = ContextVar("sandbox_request_memo", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Remember account reads for the duration of one request."""
    reset = _current.set(_Memo())
    try:
        yield
    finally:
        _current.reset(reset)


def remember_account(*, account_id: str, pk: int, snapshot_token: str) -> None:
    """Note an account row the request has just read."""
    memo = _current.get()
    if memo is not None:
        memo.tokens[account_id] = snapshot_token
        memo.account_pks[account_id] = pk


def remember_token(account_id: str, snapshot_token: str) -> None:
    memo = _current.get()
    if memo is not None:
        memo.tokens[account_id] = snapshot_token


def remembered_token(account_id: str) -> str | None:
    memo = _current.get()
    return None if memo is None else memo.tokens.get(account_id)


def remembered_pk(account_id: str) -> int | None:
    memo = _current.get()
    return None if memo is None else memo.account_pks.get(account_id)


def forget_token(account_id: str) -> None:
    """The account was written: the next reader in this request reads the stored token again."""
    memo = _current.get()
    if memo is not None:
        memo.tokens.pop(account_id, None)
