"""GetSessionToken: temporary credentials for an IAM user, MFA-authenticated when a code is given.

https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sandbox.clock import sandbox_now
from sandbox.errors import AccessDenied
from sandbox.identity import SESSION_TOKEN, Identity
from sandbox.models import Account, StsSession
from sandbox.moto_store import account_reader
from sandbox.sts import sessions
from sandbox.sts.mfa_context import mfa_proof
from sandbox.sts.params import validate

DEFAULT_DURATION = 43200
ROOT_MAX = 3600
WITH_SESSION_CREDENTIALS = "Cannot call GetSessionToken with session credentials"


def get_session_token(caller: Identity, params: Mapping[str, Any]) -> StsSession:
    """Credentials with the user's own permissions (less IAM without MFA, and most of STS), as AWS issues them."""
    validate("GetSessionToken", params)
    if caller.session is not None:
        raise AccessDenied(WITH_SESSION_CREDENTIALS)
    duration = int(params.get("DurationSeconds") or DEFAULT_DURATION)
    if caller.type == "Root":
        duration = min(duration, ROOT_MAX)  # AWS quietly caps the root user's sessions at one hour
    now = sandbox_now(caller.account_id)
    mfa = mfa_proof(caller, params.get("SerialNumber"), params.get("TokenCode"), now)
    with account_reader(caller.account_id) as backends:
        user = backends.iam.get_user(caller.name)
        path, user_id = user.path, user.id
    return sessions.store_session(StsSession(
        access_key_id=sessions.new_access_key_id(), secret_access_key=sessions.new_secret_access_key(),
        session_token=sessions.new_session_token(), kind=SESSION_TOKEN,
        account=Account.objects.get(account_id=caller.account_id), user_name=caller.name, user_id=user_id, path=path,
        issued_at=now, expires_at=now + timedelta(seconds=duration), mfa_authenticated_at=mfa.authenticated_at,
        issued_to=caller.user_identity(),
    ))


def limits_for_session_token(identity: Identity, service: str, action: str) -> str | None:
    """What GetSessionToken credentials may not do: IAM without MFA, and STS apart from AssumeRole and
    GetCallerIdentity. Returns the refusal's error code, or None when the call may go ahead."""
    session = identity.session
    if session is None or session.kind != SESSION_TOKEN:
        return None
    if service == "iam" and not session.mfa_authenticated:
        return "InvalidClientTokenId"
    if service == "sts" and action not in ("AssumeRole", "GetCallerIdentity"):
        return "AccessDenied"
    return None
