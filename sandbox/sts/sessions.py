"""Temporary credentials: issue them, find them by access key, and turn them back into the identity they act as."""
from __future__ import annotations

import base64
import secrets
import string
from datetime import datetime

from sandbox.clock import offset_for_account
from sandbox.identity import ASSUMED_ROLE, Identity, SessionContext, assumed_role_arn, iam_user_arn
from sandbox.models import Account, StsSession

_KEY_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def new_access_key_id() -> str:
    """A temporary access key id: `ASIA` and 16 characters, like AWS's."""
    return "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def new_session_token() -> str:
    """An opaque token (AWS's are a few hundred characters of base64; clients must not assume a size)."""
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(240)).decode()


def session_context(session: StsSession) -> SessionContext:
    tags = tuple((str(tag["Key"]), str(tag["Value"])) for tag in session.tags)
    return SessionContext(
        kind=session.kind,
        access_key_id=session.access_key_id,
        issued_at=session.issued_at,
        expires_at=session.expires_at,
        mfa_authenticated_at=session.mfa_authenticated_at,
        role_name=session.role_name,
        role_path=session.path,
        role_id=session.role_id,
        source_identity=session.source_identity,
        tags=tags,
        transitive_tag_keys=tuple(session.transitive_tag_keys),
        session_policy=session.session_policy,
        policy_arns=tuple(session.policy_arns),
        chained=session.chained,
        via_console=session.via_console,
        federated_keys=tuple((str(key), str(value)) for key, value in (session.federated_keys or {}).items()),
    )


def session_identity(session: StsSession, account_id: str) -> Identity:
    """The principal the credentials act as: the role session, or the IAM user (GetSessionToken)."""
    context = session_context(session)
    if session.kind == ASSUMED_ROLE:
        return Identity(
            account_id=account_id,
            arn=assumed_role_arn(account_id, session.role_name, session.session_name),
            type="AssumedRole",
            name=session.session_name,
            principal_id=f"{session.role_id}:{session.session_name}",
            session=context,
        )
    return Identity(
        account_id=account_id,
        arn=iam_user_arn(account_id, session.user_name, session.path),
        type="IAMUser",
        name=session.user_name,
        principal_id=session.user_id,
        session=context,
    )


def session_by_key(access_key_id: str) -> tuple[StsSession, str] | None:
    """The session issued with `access_key_id` and its account id, or None for a key our STS never issued."""
    session = StsSession.objects.select_related("account").filter(access_key_id=access_key_id).first()
    if session is None:
        return None
    return session, session.account.account_id


def real_expiry(session: StsSession, account_id: str) -> datetime:
    """When the credentials expire in real time: the sandbox clock may run ahead of it."""
    return session.expires_at - offset_for_account(account_id)


def store_session(session: StsSession) -> StsSession:
    session.full_clean(exclude=["account", "tags", "transitive_tag_keys", "policy_arns", "issued_to", "session_policy"])
    session.save()
    return session


def account_row(account_id: str) -> Account:
    return Account.objects.get(account_id=account_id)
