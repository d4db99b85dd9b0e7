"""GradeContext: the snapshot of a learner's sandbox that checks read (plain data, no I/O).

Loaded once per grading by `labs.services.world`; everything a check needs is here, so grading is pure and a
stored snapshot can be regraded the same way.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RoleView:
    """One IAM role as stored: its trust policy, permissions, limits and tags."""

    name: str
    arn: str
    trust_policy: str
    account_id: str = ""
    path: str = "/"
    role_id: str = ""
    managed_policies: Mapping[str, str] = field(default_factory=dict)  # ARN -> default version's document
    inline_policies: Mapping[str, str] = field(default_factory=dict)  # name -> document
    boundary_arn: str = ""
    boundary_document: str = ""
    max_session_duration: int = 3600
    tags: Mapping[str, str] = field(default_factory=dict)
    instance_profiles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UserView:
    """One IAM user: its identity policies (inline, attached, groups'), boundary, tags and MFA devices."""

    name: str
    arn: str
    user_id: str
    account_id: str
    policies: Mapping[str, str] = field(default_factory=dict)  # name -> document
    boundary_document: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    mfa_devices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountView:
    account_id: str
    alias: str
    kind: str  # management, member, external
    roles: Mapping[str, RoleView] = field(default_factory=dict)
    users: Mapping[str, UserView] = field(default_factory=dict)
    scps: tuple[tuple[str, ...], ...] = ()  # SCP documents per organization level (member accounts only)

    @property
    def in_organization(self) -> bool:
        return self.kind != "external"


@dataclass(frozen=True, slots=True)
class EventView:
    """A CloudTrail record of the learner's sandbox (lab setup calls are left out)."""

    account_id: str
    name: str
    source: str
    record: Mapping[str, Any]

    @property
    def succeeded(self) -> bool:
        return not self.record.get("errorCode")


@dataclass(frozen=True, slots=True)
class ConsoleSwitch:
    """A role session the learner opened with the console's Switch role."""

    role_arn: str
    display_name: str
    color: str


@dataclass(frozen=True, slots=True)
class GradeContext:
    """What grading sees of one learner's sandbox."""

    account_id: str  # the home (management) account
    roles: Mapping[str, RoleView]  # the home account's roles, by exact name
    accounts: Mapping[str, AccountView] = field(default_factory=dict)  # by alias ("management" is the home)
    organization_id: str = ""
    events: tuple[EventView, ...] = ()
    console_switches: tuple[ConsoleSwitch, ...] = ()
    functions: Mapping[str, str] = field(default_factory=dict)  # Lambda function ARN -> execution role ARN
    instance_profiles_in_use: tuple[str, ...] = ()  # instance profile ARNs attached to running instances
    variables: Mapping[str, str] = field(default_factory=dict)
    hints_revealed: tuple[str, ...] = ()  # ids of the checks whose hint the learner had revealed before grading

    def account(self, alias: str | None) -> AccountView | None:
        """An account by alias (`management`/`home` for the home account) or by id."""
        if alias in (None, "", "home", "management"):
            return next((a for a in self.accounts.values() if a.account_id == self.account_id), None)
        assert alias is not None  # noqa: S101 - narrowed above
        return self.accounts.get(alias) or next((a for a in self.accounts.values() if a.account_id == alias), None)

    def role(self, name: str, account: str | None = None) -> RoleView | None:
        found = self.account(account)
        if found is None:
            return self.roles.get(name) if account in (None, "", "home", "management") else None
        return found.roles.get(name)

    def principal_account(self, account_id: str) -> AccountView | None:
        return next((a for a in self.accounts.values() if a.account_id == account_id), None)
