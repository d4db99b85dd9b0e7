"""Managed policy reads for the console (IAM > Policies), made with IAM calls as the signed-in identity."""
from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import iam
from sandbox.api import iam_call
from sandbox.identity import Identity
from sandbox.managed_policies import is_aws_managed_arn

Scope = Literal["All", "AWS", "Local"]
SCOPES: tuple[Scope, ...] = ("All", "AWS", "Local")
PAGE_SIZE = 20
LIST_BATCH = 1000  # ListPolicies' largest page
VERSIONS_MAX = 5  # AWS: a managed policy keeps at most five versions
DetailTab = Literal["permissions", "entities", "versions"]
DETAIL_TABS: tuple[DetailTab, ...] = ("permissions", "entities", "versions")


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """One line of the policy table."""

    name: str
    arn: str
    aws_managed: bool
    attachment_count: int
    created: datetime | None
    updated: datetime | None


@dataclass(frozen=True, slots=True)
class PolicyPage:
    """One page of the policy table, with the filter that made it."""

    rows: tuple[PolicyRow, ...]
    total: int
    page: int
    pages: int
    scope: Scope
    query: str
    only_attached: bool

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    def query_string(self, page: int | None) -> str:
        """The table's address for another page, with the same filter."""
        params = {"scope": self.scope, "q": self.query, "page": page or 1}
        return urllib.parse.urlencode({**params, **({"only_attached": "on"} if self.only_attached else {})})

    @property
    def previous_query(self) -> str:
        return self.query_string(self.previous_page)

    @property
    def next_query(self) -> str:
        return self.query_string(self.next_page)


@dataclass(frozen=True, slots=True)
class PolicyVersionRow:
    version_id: str
    is_default: bool
    created: datetime | None


@dataclass(frozen=True, slots=True)
class PolicyEntity:
    """A user, group or role the policy is attached to."""

    kind: Literal["User", "Group", "Role"]
    name: str


@dataclass(frozen=True, slots=True)
class PolicyDetail:
    """What the policy page shows: the summary, and the parts the open tab needs."""

    name: str
    arn: str
    path: str
    description: str
    aws_managed: bool
    attachment_count: int
    default_version_id: str
    created: datetime | None
    updated: datetime | None
    shown_version_id: str = ""
    document: str = ""
    versions: tuple[PolicyVersionRow, ...] = ()
    entities: tuple[PolicyEntity, ...] = ()

    @property
    def oldest_non_default_version(self) -> str:
        """The version AWS's console offers to delete when the policy already has five."""
        others = [version for version in self.versions if not version.is_default]
        return min(others, key=_version_number).version_id if others else ""

    @property
    def at_version_limit(self) -> bool:
        return len(self.versions) >= VERSIONS_MAX


@dataclass(frozen=True, slots=True)
class PlacedFinding:
    """A finding with the text of the line it points at (empty when it has no line)."""

    finding: iam.Finding
    line_text: str


@dataclass(frozen=True, slots=True)
class PolicyValidation:
    """The editor's findings, counted by severity as AWS's policy editor tabs them."""

    findings: tuple[iam.Finding, ...]
    document: str = ""

    @property
    def placed(self) -> tuple[PlacedFinding, ...]:
        lines = self.document.splitlines()
        return tuple(
            PlacedFinding(finding, lines[finding.line - 1].strip() if finding.line and finding.line <= len(lines)
                          else "")
            for finding in self.findings
        )

    def _count(self, severity: iam.Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def errors(self) -> int:
        return self._count(iam.Severity.ERROR)

    @property
    def security_warnings(self) -> int:
        return self._count(iam.Severity.SECURITY_WARNING)

    @property
    def warnings(self) -> int:
        return self._count(iam.Severity.WARNING)

    @property
    def suggestions(self) -> int:
        return self._count(iam.Severity.SUGGESTION)


def _version_number(version: PolicyVersionRow) -> int:
    digits = version.version_id.lstrip("v")
    return int(digits) if digits.isdigit() else 0


def _all_policies(identity: Identity, scope: Scope, only_attached: bool) -> Iterator[dict[str, Any]]:
    """Every policy ListPolicies returns, following its markers (the console pages and searches on its side)."""
    params: dict[str, Any] = {"Scope": scope, "OnlyAttached": only_attached, "MaxItems": LIST_BATCH}
    while True:
        answer = iam_call(identity, "ListPolicies", params)
        yield from answer.get("Policies", [])
        if not answer.get("IsTruncated") or not answer.get("Marker"):
            return
        params = {**params, "Marker": answer["Marker"]}


def _row(shape: dict[str, Any]) -> PolicyRow:
    return PolicyRow(
        name=str(shape.get("PolicyName", "")), arn=str(shape.get("Arn", "")),
        aws_managed=is_aws_managed_arn(str(shape.get("Arn", ""))),
        attachment_count=int(shape.get("AttachmentCount") or 0),
        created=shape.get("CreateDate"), updated=shape.get("UpdateDate"),
    )


def policy_list(
    *, identity: Identity, scope: Scope = "All", query: str = "", only_attached: bool = False, page: int = 1
) -> PolicyPage:
    """The account's policies (AWS managed, customer managed or both), searched by name, one page of them."""
    needle = query.strip().lower()
    rows = [
        _row(shape) for shape in _all_policies(identity, scope, only_attached)
        if not needle or needle in str(shape.get("PolicyName", "")).lower()
    ]
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = tuple(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return PolicyPage(rows=shown, total=len(rows), page=page, pages=pages, scope=scope, query=query,
                      only_attached=only_attached)


def document_text(document: object) -> str:
    """A policy document as IAM returns it (JSON text, URL-encoded by IAM itself) -> indented JSON for display."""
    text = document if isinstance(document, str) else json.dumps(document)
    if text.lstrip().startswith("%"):
        text = urllib.parse.unquote(text)
    try:
        return json.dumps(json.loads(text), indent=4)
    except ValueError:
        return text


def _versions(identity: Identity, policy_arn: str) -> tuple[PolicyVersionRow, ...]:
    answer = iam_call(identity, "ListPolicyVersions", {"PolicyArn": policy_arn})
    rows = [
        PolicyVersionRow(version_id=str(v.get("VersionId", "")), is_default=bool(v.get("IsDefaultVersion")),
                         created=v.get("CreateDate"))
        for v in answer.get("Versions", [])
    ]
    return tuple(sorted(rows, key=_version_number, reverse=True))


def _entities(identity: Identity, policy_arn: str) -> tuple[PolicyEntity, ...]:
    answer = iam_call(identity, "ListEntitiesForPolicy", {"PolicyArn": policy_arn})
    found = [PolicyEntity("User", str(item["UserName"])) for item in answer.get("PolicyUsers", [])]
    found += [PolicyEntity("Group", str(item["GroupName"])) for item in answer.get("PolicyGroups", [])]
    found += [PolicyEntity("Role", str(item["RoleName"])) for item in answer.get("PolicyRoles", [])]
    return tuple(found)


def policy_detail(
    *, identity: Identity, policy_arn: str, tab: DetailTab = "permissions", version_id: str = "",
    with_versions: bool = False,
) -> PolicyDetail:
    """GetPolicy, plus what the tab shows: a version's document (the default one unless `version_id`), the
    versions or the attached entities. NoSuchEntity / AccessDenied come from IAM as they are."""
    shape = iam_call(identity, "GetPolicy", {"PolicyArn": policy_arn})["Policy"]
    default_version = str(shape.get("DefaultVersionId", ""))
    extra: dict[str, Any] = {}
    if tab == "permissions":
        shown = version_id or default_version
        version = iam_call(identity, "GetPolicyVersion", {"PolicyArn": policy_arn, "VersionId": shown})
        extra["shown_version_id"] = shown
        extra["document"] = document_text(version["PolicyVersion"].get("Document", ""))
    if tab == "versions" or with_versions:
        extra["versions"] = _versions(identity, policy_arn)
    if tab == "entities":
        extra["entities"] = _entities(identity, policy_arn)
    return PolicyDetail(
        name=str(shape.get("PolicyName", "")), arn=str(shape.get("Arn", policy_arn)), path=str(shape.get("Path", "/")),
        description=str(shape.get("Description", "")), aws_managed=is_aws_managed_arn(policy_arn),
        attachment_count=int(shape.get("AttachmentCount") or 0), default_version_id=default_version,
        created=shape.get("CreateDate"), updated=shape.get("UpdateDate"), **extra,
    )


def policy_validate(*, document: str, account_id: str, name: str = "") -> PolicyValidation:
    """The engine's findings for an identity policy being edited (errors, security warnings, warnings...)."""
    findings = iam.validate_policy(document, kind=iam.PolicyKind.IDENTITY, account_id=account_id,
                                   name=name or "policy")
    return PolicyValidation(findings=tuple(findings), document=document)
