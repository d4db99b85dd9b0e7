"""Access keys -> who signed: the secret lives in the account's IAM state, `AccessKeyOwner` says which account."""
from __future__ import annotations

from dataclasses import dataclass

from sandbox.endpoint.sigv4 import Credential
from sandbox.identity import Identity, iam_user_arn
from sandbox.models import AccessKeyOwner
from sandbox.moto_store import account_reader


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """The IAM user an access key belongs to."""

    account_id: str
    user_name: str


def credential_lookup(access_key_id: str) -> Credential[KeyOwner] | None:
    """The credential for a long-term access key, or None for an unknown, deleted or inactive key."""
    owner = AccessKeyOwner.objects.select_related("account").filter(access_key_id=access_key_id).first()
    if owner is None:
        return None
    account_id = owner.account.account_id
    with account_reader(account_id) as backends:
        user = backends.iam.users.get(owner.user_name)
        keys = [key for key in (user.access_keys if user else []) if key.access_key_id == access_key_id]
        if not keys or keys[0].status != "Active":
            return None
        secret = keys[0].secret_access_key
    key_owner = KeyOwner(account_id, owner.user_name)
    return Credential(access_key_id=access_key_id, secret_access_key=secret, owner=key_owner)


def identity_for(owner: KeyOwner) -> Identity:
    """The identity a key acts as: its IAM user, with the user's path and unique id."""
    with account_reader(owner.account_id) as backends:
        user = backends.iam.get_user(owner.user_name)
        return Identity(
            account_id=owner.account_id,
            arn=iam_user_arn(owner.account_id, user.name, user.path),
            type="IAMUser",
            name=user.name,
            principal_id=user.id,
        )
