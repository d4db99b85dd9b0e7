"""Reads for the Roles list and the role page: IAM through `sandbox.api.iam_call`, activity from the event history."""
from __future__ import annotations

import difflib
import json
import urllib.parse
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.db.models.fields.json import KT

import iam
from sandbox import roles
from sandbox.api import iam_call
from sandbox.errors import AwsError, NoSuchEntity
from sandbox.identity import Identity
from sandbox.models import Event

PAGE_SIZE = 20
PICKER_LIMIT = 100
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
ISSUER_ARN = "user_identity__sessionContext__sessionIssuer__arn"
# Panels of the role page that need their own IAM reads (the summary is always read).
PANEL_PERMISSIONS = "permissions"
PANEL_LAST_ACCESSED = "last-accessed"
ALL_PANELS = frozenset({PANEL_PERMISSIONS, PANEL_LAST_ACCESSED})
# Names the console shows for the services the sandbox serves; others show their namespace.
SERVICE_NAMES = {
    "iam": "AWS Identity and Access Management",
    "sts": "AWS Security Token Service",
    "s3": "Amazon S3",
    "ec2": "Amazon EC2",
    "lambda": "AWS Lambda",
    "organizations": "AWS Organizations",
    "cloudtrail": "AWS CloudTrail",
}

TrustedKind = Literal["service", "account", "provider"]


@dataclass(frozen=True, slots=True)
class TrustedEntity:
    """One entry of the "Trusted entities" column: `AWS Service: ec2`, `Account: 111122223333`, ..."""

    kind: TrustedKind
    value: str


@dataclass(frozen=True, slots=True)
class RoleRow:
    name: str
    arn: str
    created: datetime
    trusted: tuple[TrustedEntity, ...]
    last_activity: datetime | None


@dataclass(frozen=True, slots=True)
class RoleTable:
    """One page of the Roles table, after the search."""

    rows: tuple[RoleRow, ...]
    query: str
    total: int
    number: int
    pages: int
    first_index: int
    last_index: int

    @property
    def previous_page(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


@dataclass(frozen=True, slots=True)
class RoleSummary:
    """The role page's Summary section (GetRole, ListInstanceProfilesForRole, the event history)."""

    name: str
    arn: str
    path: str
    description: str
    created: datetime
    max_session_duration: int
    trust_policy: str
    boundary_arn: str
    tags: tuple[tuple[str, str], ...]
    instance_profile_arns: tuple[str, ...]
    last_activity: datetime | None

    @property
    def max_session_hours(self) -> int | None:
        """The maximum session duration in whole hours (None for a custom duration in seconds)."""
        hours, rest = divmod(self.max_session_duration, 3600)
        return None if rest else hours

    @property
    def trust_policy_pretty(self) -> str:
        return pretty_policy(self.trust_policy)

    @property
    def trusted(self) -> tuple[TrustedEntity, ...]:
        return trusted_entities(self.trust_policy)


@dataclass(frozen=True, slots=True)
class AttachedPolicy:
    name: str
    arn: str

    @property
    def aws_managed(self) -> bool:
        return self.arn.startswith(AWS_MANAGED_PREFIX)


@dataclass(frozen=True, slots=True)
class RolePermissions:
    attached: tuple[AttachedPolicy, ...]
    inline: tuple[str, ...]
    boundary: AttachedPolicy | None

    @property
    def count(self) -> int:
        return len(self.attached) + len(self.inline)


@dataclass(frozen=True, slots=True)
class ServiceAccess:
    """One row of the Last accessed tab: a service the role's sessions called (or tried to)."""

    namespace: str
    name: str
    last_accessed: datetime
    last_action: str
    calls: int


@dataclass(frozen=True, slots=True)
class RolePage:
    summary: RoleSummary
    permissions: RolePermissions | None
    last_accessed: tuple[ServiceAccess, ...] | None


@dataclass(frozen=True, slots=True)
class PolicyOption:
    """A managed policy the learner can attach (or use as a permissions boundary)."""

    name: str
    arn: str
    attachments: int

    @property
    def aws_managed(self) -> bool:
        return self.arn.startswith(AWS_MANAGED_PREFIX)


@dataclass(frozen=True, slots=True)
class PolicyPicker:
    options: tuple[PolicyOption, ...]
    query: str
    total: int
    selected: tuple[str, ...]

    @property
    def hidden_selected(self) -> tuple[str, ...]:
        """Selected policies the search hides: the form still carries them."""
        shown = {option.arn for option in self.options}
        return tuple(arn for arn in self.selected if arn not in shown)


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: Literal["same", "added", "removed"]
    text: str

    @property
    def sign(self) -> str:
        return {"same": " ", "added": "+", "removed": "-"}[self.kind]


def _call(identity: Identity, action: str, params: dict[str, Any]) -> dict[str, Any]:
    """iam_call, with IAM's "no such entity" as the sandbox's NoSuchEntity (views make it a 404)."""
    try:
        return iam_call(identity, action, params)
    except AwsError as error:
        if error.code == "NoSuchEntity" and not isinstance(error, NoSuchEntity):
            raise NoSuchEntity(error.message) from error
        raise


def pretty_policy(document: str) -> str:
    """A policy as indented JSON (the text as stored when it is not JSON)."""
    try:
        return json.dumps(json.loads(document), indent=4)
    except ValueError:
        return document


def trusted_entities(document: str) -> tuple[TrustedEntity, ...]:
    """Who a trust policy lets in, summarised as the console's "Trusted entities" column does."""
    try:
        policy = iam.parse_policy(document, name="trust-policy", kind=iam.PolicyKind.TRUST)
    except iam.PolicySyntaxError:
        return ()
    found: list[TrustedEntity] = []
    for statement in policy.statements:
        if statement.effect != iam.Effect.ALLOW:
            continue
        for principal in statement.principals:
            entity = _trusted(principal)
            if entity not in found:
                found.append(entity)
    return tuple(found)


def _trusted(principal: iam.PrincipalValue) -> TrustedEntity:
    value = principal.value
    if principal.kind == iam.PrincipalKind.SERVICE:
        return TrustedEntity("service", value.removesuffix(".amazonaws.com"))
    if principal.kind == iam.PrincipalKind.FEDERATED:
        return TrustedEntity("provider", value.split(":saml-provider/")[-1].split(":oidc-provider/")[-1])
    if value.startswith("arn:"):
        value = value.split(":")[4] or value
    return TrustedEntity("account", value)


def _last_activity(account_id: str, arns: Iterable[str]) -> dict[str, datetime]:
    """When a session of each role last called anything (successful or not), from the account's events."""
    wanted = list(arns)
    if not wanted:
        return {}
    rows = (
        Event.objects.filter(account__account_id=account_id, **{f"{ISSUER_ARN}__in": wanted})
        .annotate(issuer=KT(ISSUER_ARN)).values("issuer").annotate(last=Max("event_time"))
    )
    return {row["issuer"]: row["last"] for row in rows}


def role_table(*, identity: Identity, query: str = "", page: str | int = 1) -> RoleTable:
    """The Roles table: ListRoles, a case-insensitive search on the name, pages of PAGE_SIZE."""
    needle = query.strip().lower()
    found = [role for role in roles.role_list(identity=identity) if needle in role.name.lower()]
    current = Paginator(found, PAGE_SIZE).get_page(page)
    activity = _last_activity(identity.account_id, (role.arn for role in current.object_list))
    rows = tuple(
        RoleRow(name=role.name, arn=role.arn, created=role.created, trusted=trusted_entities(role.trust_policy),
                last_activity=activity.get(role.arn))
        for role in current.object_list
    )
    return RoleTable(
        rows=rows, query=query, total=len(found), number=current.number, pages=current.paginator.num_pages,
        first_index=current.start_index(), last_index=current.end_index(),
    )


def role_summary(*, identity: Identity, role_name: str) -> RoleSummary:
    """GetRole and ListInstanceProfilesForRole as `identity`; NoSuchEntity when the account has no such role."""
    role = _call(identity, "GetRole", {"RoleName": role_name})["Role"]
    profiles = _call(identity, "ListInstanceProfilesForRole", {"RoleName": role_name})["InstanceProfiles"]
    arn = str(role["Arn"])
    return RoleSummary(
        name=str(role["RoleName"]), arn=arn, path=str(role.get("Path", "/")),
        description=str(role.get("Description", "")), created=role["CreateDate"],
        max_session_duration=int(role.get("MaxSessionDuration", 3600)),
        trust_policy=urllib.parse.unquote(str(role.get("AssumeRolePolicyDocument", ""))),
        boundary_arn=str(role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn", "")),
        tags=tuple((str(tag["Key"]), str(tag["Value"])) for tag in role.get("Tags", [])),
        instance_profile_arns=tuple(str(profile["Arn"]) for profile in profiles),
        last_activity=_last_activity(identity.account_id, [arn]).get(arn),
    )


def role_permissions(*, identity: Identity, role_name: str, boundary_arn: str = "") -> RolePermissions:
    attached = _call(identity, "ListAttachedRolePolicies", {"RoleName": role_name})["AttachedPolicies"]
    inline = _call(identity, "ListRolePolicies", {"RoleName": role_name})["PolicyNames"]
    boundary = AttachedPolicy(name=boundary_arn.rsplit("/", 1)[-1], arn=boundary_arn) if boundary_arn else None
    return RolePermissions(
        attached=tuple(AttachedPolicy(name=str(p["PolicyName"]), arn=str(p["PolicyArn"])) for p in attached),
        inline=tuple(str(name) for name in inline),
        boundary=boundary,
    )


def role_last_accessed(*, identity: Identity, role_arn: str) -> tuple[ServiceAccess, ...]:
    """Services that sessions of the role called, most recent first (AWS counts attempts, denied ones too)."""
    events = Event.objects.filter(account__account_id=identity.account_id, **{ISSUER_ARN: role_arn})
    rows = events.values("event_source").annotate(last=Max("event_time"), calls=Count("id")).order_by("-last")
    found = []
    for row in rows:
        latest = events.filter(event_source=row["event_source"]).order_by("-event_time", "-id").first()
        namespace = str(row["event_source"]).removesuffix(".amazonaws.com")
        found.append(ServiceAccess(
            namespace=namespace, name=SERVICE_NAMES.get(namespace, namespace), last_accessed=row["last"],
            last_action=f"{namespace}:{latest.event_name}" if latest else "", calls=int(row["calls"]),
        ))
    return tuple(found)


def role_page(
    *, identity: Identity, role_name: str, panels: Collection[str] = ALL_PANELS, summary: RoleSummary | None = None
) -> RolePage:
    """What the role page shows: the summary always (read now unless given), other panels' reads when asked for."""
    summary = summary or role_summary(identity=identity, role_name=role_name)
    permissions = (
        role_permissions(identity=identity, role_name=role_name, boundary_arn=summary.boundary_arn)
        if PANEL_PERMISSIONS in panels else None
    )
    accessed = role_last_accessed(identity=identity, role_arn=summary.arn) if PANEL_LAST_ACCESSED in panels else None
    return RolePage(summary=summary, permissions=permissions, last_accessed=accessed)


def role_inline_policy(*, identity: Identity, role_name: str, policy_name: str) -> str:
    """An inline policy's document, indented for the editor."""
    answer = _call(identity, "GetRolePolicy", {"RoleName": role_name, "PolicyName": policy_name})
    return pretty_policy(urllib.parse.unquote(str(answer["PolicyDocument"])))


def policy_picker(
    *, identity: Identity, query: str = "", exclude: Collection[str] = (), selected: Collection[str] = ()
) -> PolicyPicker:
    """Managed policies (AWS and customer) matching the search, without the ones in `exclude`."""
    answer = _call(identity, "ListPolicies", {"Scope": "All", "MaxItems": 1000})
    needle = query.strip().lower()
    matching = [
        PolicyOption(name=str(p["PolicyName"]), arn=str(p["Arn"]), attachments=int(p.get("AttachmentCount", 0)))
        for p in answer["Policies"]
        if p["Arn"] not in exclude and needle in str(p["PolicyName"]).lower()
    ]
    return PolicyPicker(
        options=tuple(matching[:PICKER_LIMIT]), query=query, total=len(matching), selected=tuple(selected),
    )


def policy_diff(current: str, proposed: str) -> tuple[DiffLine, ...]:
    """The whole proposed policy, line by line, marked against the current one (both indented the same way)."""
    old, new = pretty_policy(current).splitlines(), pretty_policy(proposed).splitlines()
    lines = []
    # The first two lines name the files; with full context there is one hunk, whose header starts with `@@`.
    for line in list(difflib.unified_diff(old, new, lineterm="", n=max(len(old), len(new))))[2:]:
        if line.startswith("@@"):
            continue
        kind: Literal["same", "added", "removed"] = (
            "added" if line.startswith("+") else "removed" if line.startswith("-") else "same"
        )
        lines.append(DiffLine(kind=kind, text=line[1:]))
    return tuple(lines)
