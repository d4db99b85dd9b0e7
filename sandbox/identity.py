"""Who is calling: the principal of a sandbox call, as CloudTrail and the policy engine see it."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

ASSUMED_ROLE = "assumed-role"
SESSION_TOKEN = "session-token"  # noqa: S105 - a kind of session, not a secret


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What temporary credentials carry: when and how they were issued, and what limits them.

    `kind` is ASSUMED_ROLE (AssumeRole) or SESSION_TOKEN (GetSessionToken). Times are sandbox times.
    `tags` are the session tags (incoming transitive ones included); the role's own tags are not copied here.
    `federated_keys` are the identity provider's keys a session of AssumeRoleWithSAML / AssumeRoleWithWebIdentity
    keeps for every later request (`saml:sub`, `saml:sub_type`, `saml:namequalifier`; `aws:FederatedProvider`).
    """

    kind: str
    access_key_id: str
    issued_at: datetime
    expires_at: datetime
    mfa_authenticated_at: datetime | None = None
    role_name: str = ""
    role_path: str = "/"
    role_id: str = ""
    source_identity: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    session_policy: str = ""
    policy_arns: tuple[str, ...] = ()
    chained: bool = False
    via_console: bool = False
    federated_keys: tuple[tuple[str, str], ...] = ()

    @property
    def mfa_authenticated(self) -> bool:
        return self.mfa_authenticated_at is not None

    @property
    def is_role_session(self) -> bool:
        return self.kind == ASSUMED_ROLE

    def tag_dict(self) -> dict[str, str]:
        return dict(self.tags)


@dataclass(frozen=True, slots=True)
class Identity:
    """A principal acting in an account: an IAM user (long-term key or GetSessionToken session) or a role session."""

    account_id: str
    arn: str
    type: str  # CloudTrail userIdentity.type: IAMUser, AssumedRole, Root, ...
    name: str
    principal_id: str
    source_ip: str = ""  # where the call came from (the browser for console calls), for aws:SourceIp and events
    secure_transport: bool = True
    session: SessionContext | None = field(default=None)

    @property
    def is_role_session(self) -> bool:
        return self.session is not None and self.session.is_role_session

    @property
    def role_arn(self) -> str:
        """For a role session, the role's ARN (with its path); empty otherwise."""
        if self.session is None or not self.session.is_role_session:
            return ""
        return iam_role_arn(self.account_id, self.session.role_name, self.session.role_path)

    def user_identity(self) -> dict[str, Any]:
        """The CloudTrail `userIdentity` block for this principal."""
        block: dict[str, Any] = {
            "type": self.type,
            "principalId": self.principal_id,
            "arn": self.arn,
            "accountId": self.account_id,
        }
        if not self.is_role_session:
            block["userName"] = self.name
        if self.session is not None:
            block["sessionContext"] = self._session_context()
        return block

    def _session_context(self) -> dict[str, Any]:
        session = self.session
        assert session is not None  # noqa: S101 - only called with a session
        context: dict[str, Any] = {
            "attributes": {
                "creationDate": session.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "mfaAuthenticated": "true" if session.mfa_authenticated else "false",
            },
        }
        if session.is_role_session:
            context["sessionIssuer"] = {
                "type": "Role",
                "principalId": session.role_id,
                "arn": self.role_arn,
                "accountId": self.account_id,
                "userName": session.role_name,
            }
        if session.source_identity:
            context["sourceIdentity"] = session.source_identity
        return context


def iam_user_arn(account_id: str, user_name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:user{path}{user_name}"


def iam_role_arn(account_id: str, role_name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:role{path}{role_name}"


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    """The ARN of a role session: no role path, as AWS writes it."""
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def with_origin(identity: Identity, *, source_ip: str, secure_transport: bool) -> Identity:
    """The same principal, calling from `source_ip`."""
    return replace(identity, source_ip=source_ip, secure_transport=secure_transport)
