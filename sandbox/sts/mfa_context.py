"""MFA in STS calls: a SerialNumber + TokenCode verified now, or an MFA-authenticated calling session.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sandbox.errors import AccessDenied
from sandbox.identity import Identity
from sandbox.mfa import UNKNOWN_DEVICE as UNABLE_TO_VALIDATE
from sandbox.mfa import check_mfa_for_user
from sandbox.moto_store import account_reader


@dataclass(frozen=True, slots=True)
class MfaProof:
    """When the caller last proved MFA (None: not in this call nor in its session)."""

    authenticated_at: datetime | None = None

    def context(self, now: datetime) -> dict[str, str | list[str]]:
        """`aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge` once MFA was used (otherwise the caller's own
        keys stand: absent for long-term keys, `false` for temporary credentials)."""
        if self.authenticated_at is None:
            return {}
        age = max(0, int((now - self.authenticated_at).total_seconds()))
        return {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": str(age)}


def mfa_proof(caller: Identity, serial_number: str | None, token_code: str | None, now: datetime) -> MfaProof:
    """Verify a passed MFA code against the calling IAM user's device; otherwise carry the session's MFA."""
    if serial_number is None and token_code is None:
        session = caller.session
        return MfaProof(session.mfa_authenticated_at if session is not None else None)
    if serial_number is None or token_code is None or caller.type != "IAMUser":
        raise AccessDenied(UNABLE_TO_VALIDATE)
    with account_reader(caller.account_id) as backends:
        check_mfa_for_user(backends, caller.account_id, caller.name, serial_number, token_code)
    return MfaProof(now)
