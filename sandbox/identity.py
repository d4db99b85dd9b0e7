"""Who is calling: the signed-in principal of a sandbox, as CloudTrail and the policy engine see it."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Identity:
    """A principal acting in an account (for now the learner's IAM user in their home account)."""

    account_id: str
    arn: str
    type: str  # CloudTrail userIdentity.type: IAMUser, AssumedRole, Root, ...
    name: str
    principal_id: str
    source_ip: str = ""  # where the call came from (the browser for console calls), for aws:SourceIp and events
    secure_transport: bool = True

    def user_identity(self) -> dict[str, Any]:
        """The CloudTrail `userIdentity` block for this principal."""
        return {
            "type": self.type,
            "principalId": self.principal_id,
            "arn": self.arn,
            "accountId": self.account_id,
            "userName": self.name,
        }


def iam_user_arn(account_id: str, user_name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:user{path}{user_name}"


def iam_role_arn(account_id: str, role_name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:role{path}{role_name}"


def with_origin(identity: Identity, *, source_ip: str, secure_transport: bool) -> Identity:
    """The same principal, calling from `source_ip`."""
    return replace(identity, source_ip=source_ip, secure_transport=secure_transport)
