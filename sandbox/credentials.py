"""Access keys -> who signed: the secret lives in the account's IAM state, `AccessKeyOwner` says which account."""
from __future__ import annotations

from dataclasses import dataclass

from sandbox import request_memo
from sandbox.endpoint.sigv4 import Credential
from sandbox.identity import Identity, iam_user_arn
from sandbox.models import AccessKeyOwner, Account
from sandbox.moto_store import account_reader
from sandbox.sts.sessions import real_expiry, session_by_key, session_identity


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """The IAM user an access key belongs to, as the identity it signs for."""

    account_id: str
    user_name: str
    identity: Identity


def credential_lookup(access_key_id: str) -> Credential[KeyOwner] | None:
    """The credential for an access key (long-term, or temporary from our STS), or None for an unknown one."""
    if access_key_id.startswith("ASIA"):
        return _temporary(access_key_id)
    return _long_term(access_key_id)


def _temporary(access_key_id: str) -> Credential[KeyOwner] | None:
    """STS credentials: the stored session; the verifier refuses them once expired by the sandbox's clock."""
    found = session_by_key(access_key_id)
    if found is None:
        return None
    session, account_id = found
    _remember(session.account)
    identity = session_identity(session, account_id)
    return Credential(
        access_key_id=access_key_id, secret_access_key=session.secret_access_key,
        owner=KeyOwner(account_id, identity.name, identity), session_token=session.session_token,
        expires_at=real_expiry(session, account_id),
    )


def _remember(account: Account) -> None:
    """The key's lookup read the account row: the rest of the request need not read it again."""
    request_memo.remember_account(account_id=account.account_id, pk=account.pk, snapshot_token=account.snapshot_token)


def _long_term(access_key_id: str) -> Credential[KeyOwner] | None:
    """A long-term access key: one look into the account's state gives both the secret and the identity."""
    # Not `.first()`: the key is unique, and ordering the one row costs more to compile than the query takes.
    rows = AccessKeyOwner.objects.filter(access_key_id=access_key_id).values_list(
        "user_name", "account_id", "account__account_id", "account__snapshot_token"
    )[:1]
    if not rows:
        return None
    user_name, account_pk, account_id, snapshot_token = rows[0]
    request_memo.remember_account(account_id=account_id, pk=account_pk, snapshot_token=snapshot_token)
    with account_reader(account_id) as backends:
        user = backends.iam.users.get(user_name)
        keys = [key for key in (user.access_keys if user else []) if key.access_key_id == access_key_id]
        if user is None or not keys or keys[0].status != "Active":
            return None
        identity = Identity(
            account_id=account_id,
            arn=iam_user_arn(account_id, user.name, user.path),
            type="IAMUser",
            name=user.name,
            principal_id=user.id,
        )
        secret = keys[0].secret_access_key
    key_owner = KeyOwner(account_id, user_name, identity)
    return Credential(access_key_id=access_key_id, secret_access_key=secret, owner=key_owner)
