"""Event history (CloudTrail > Event history): the current account's events, filtered, paged, and one in full."""
from __future__ import annotations

import ipaddress
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from sandbox import events
from sandbox.api import CONSOLE_USER_AGENT
from sandbox.authorize import authorize
from sandbox.errors import AccessDenied, ApplicationError
from sandbox.identity import Identity
from sandbox.models import Event
from sandbox.moto_store import account_reader

PAGE_SIZE = 25
LOOKUP_ACTION = "cloudtrail:LookupEvents"
CLOUDTRAIL_SOURCE = "cloudtrail.amazonaws.com"
EVENT_NOT_FOUND = "No event with this ID in the account's event history."
# CloudTrail's lookup attributes, as LookupEvents names them (labels live in the form).
LOOKUP_KEYS = ("EventName", "Username", "ResourceName", "ResourceType", "EventSource", "AccessKeyId", "ReadOnly",
               "EventId")
_PERFORM = re.compile(r"perform: (\S+) on resource: (\S+)")


class EventNotFound(ApplicationError):
    """The event is not in the history of the account the console acts in."""


@dataclass(frozen=True, slots=True)
class EventFilters:
    """What the event history shows: one lookup attribute, a time window, errors only."""

    attribute: str = "EventName"
    value: str = ""
    since: datetime | None = None
    until: datetime | None = None
    errors_only: bool = False


@dataclass(frozen=True, slots=True)
class EventRow:
    event_id: str
    event_name: str
    event_time: datetime
    user_name: str
    event_source: str
    resource_type: str
    resource_name: str
    error_code: str
    read_only: bool


@dataclass(frozen=True, slots=True)
class EventPage:
    rows: tuple[EventRow, ...]
    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


@dataclass(frozen=True, slots=True)
class EventDetail:
    """One event's key fields and its CloudTrail record as indented JSON."""

    row: EventRow
    access_key_id: str
    aws_region: str
    source_ip: str
    user_agent: str
    request_id: str
    event_type: str
    error_message: str
    resources: tuple[tuple[str, str], ...]
    record_json: str
    simulator_query: str  # prefill for the policy simulator ("" when the event is no denial we can replay)


def event_access_check(*, identity: Identity) -> None:
    """CloudTrail LookupEvents on `*`, decided by the engine as the endpoint decides it; a denial is recorded."""
    try:
        with account_reader(identity.account_id) as backends:
            authorize(backends, identity, action=LOOKUP_ACTION, resource="*", resource_account=identity.account_id)
    except AccessDenied as denied:
        # Recorded outside the reader: no database write while holding the moto lock.
        events.event_record(
            identity=identity, account_id=identity.account_id, event_name="LookupEvents",
            event_source=CLOUDTRAIL_SOURCE, error_code=denied.code, error_message=denied.message, read_only=True,
            user_agent=CONSOLE_USER_AGENT,
        )
        raise


def event_user_name(user_identity: dict[str, Any]) -> str:
    """What the console's "User name" column shows: the IAM user, or the session name of a role session."""
    if user_identity.get("userName"):
        return str(user_identity["userName"])
    arn = str(user_identity.get("arn", ""))
    if user_identity.get("type") == "AssumedRole" and "/" in arn:
        return arn.rsplit("/", 1)[-1]
    return str(user_identity.get("principalId") or user_identity.get("accountId") or "")


def _row(event: Event) -> EventRow:
    resources = events.event_resources(event)
    first = resources[0] if resources else {"ResourceType": "", "ResourceName": ""}
    return EventRow(
        event_id=str(event.event_id), event_name=event.event_name, event_time=event.event_time,
        user_name=event_user_name(event.user_identity), event_source=event.event_source,
        resource_type=first["ResourceType"], resource_name=first["ResourceName"], error_code=event.error_code,
        read_only=event.read_only,
    )


def _attribute_filter(key: str, value: str) -> Q:
    if key == "EventName":
        return Q(event_name=value)
    if key == "EventSource":
        return Q(event_source=value)
    if key == "AccessKeyId":
        return Q(user_identity__accessKeyId=value)
    if key == "ReadOnly":
        return Q(read_only=value.lower() == "true")
    if key == "Username":
        session = Q(user_identity__type="AssumedRole", user_identity__arn__endswith=f"/{value}")
        return Q(user_identity__userName=value) | session
    if key == "EventId":
        try:
            return Q(event_id=uuid.UUID(value))
        except ValueError:
            return Q(pk__in=[])
    if key == "ResourceType":
        names = [name for name, kind in events.RESOURCE_PARAMETERS if kind == value]
        return reduce(or_, (Q(request_parameters__has_key=name) for name in names), Q(pk__in=[]))
    return reduce(or_, (Q(**{f"request_parameters__{name}": value}) for name, _ in events.RESOURCE_PARAMETERS))


def _matching(account_id: str, filters: EventFilters) -> QuerySet[Event]:
    queryset = Event.objects.filter(account__account_id=account_id)
    if filters.value and filters.attribute in LOOKUP_KEYS:
        queryset = queryset.filter(_attribute_filter(filters.attribute, filters.value))
    if filters.since is not None:
        queryset = queryset.filter(event_time__gte=filters.since)
    if filters.until is not None:
        queryset = queryset.filter(event_time__lte=filters.until)
    if filters.errors_only:
        queryset = queryset.exclude(error_code="")
    return queryset.select_related("account").order_by("-event_time", "-id")


def event_page(*, identity: Identity, filters: EventFilters, page: int | str = 1) -> EventPage:
    """One page of the account's events, newest first (after checking cloudtrail:LookupEvents)."""
    event_access_check(identity=identity)
    paginator = Paginator(_matching(identity.account_id, filters), PAGE_SIZE)
    current = paginator.get_page(page)
    return EventPage(
        rows=tuple(_row(event) for event in current.object_list), number=current.number,
        num_pages=paginator.num_pages, count=paginator.count,
    )


def event_get(*, identity: Identity, event_id: uuid.UUID) -> EventDetail:
    """One event of the account the console acts in; EventNotFound for any other account's event."""
    event_access_check(identity=identity)
    event = Event.objects.select_related("account").filter(
        account__account_id=identity.account_id, event_id=event_id
    ).first()
    if event is None:
        raise EventNotFound(EVENT_NOT_FOUND)
    return EventDetail(
        row=_row(event), access_key_id=str(event.user_identity.get("accessKeyId", "")), aws_region=event.aws_region,
        source_ip=event.source_ip, user_agent=event.user_agent, request_id=event.request_id,
        event_type=event.event_type, error_message=event.error_message,
        resources=tuple((r["ResourceType"], r["ResourceName"]) for r in events.event_resources(event)),
        record_json=json.dumps(events.event_cloudtrail_record(event), indent=2, default=str, ensure_ascii=False),
        simulator_query=simulator_query(event, account_id=identity.account_id),
    )


def simulator_query(event: Event, *, account_id: str) -> str:
    """Query string that opens the policy simulator on the same principal, action and resource as a denial.

    The action and resource come from the denial message (`... perform: ACTION on resource: ARN ...`); the
    principal is the IAM user or the role of the role session, when it belongs to this account.
    """
    found = _PERFORM.search(event.error_message) if event.error_code in ("AccessDenied", "AccessDeniedException") \
        else None
    principal = _principal_choice(event.user_identity, account_id)
    if found is None or not principal:
        return ""
    params = {"principal": principal, "actions": found.group(1), "resources": found.group(2)}
    context = _context_rows(event)
    for index, (key, value) in enumerate(context):
        params[f"context_key_{index}"], params[f"context_value_{index}"] = key, value
    if context:
        params["context_rows"] = str(len(context))
    return urlencode(params)


def _principal_choice(user_identity: dict[str, Any], account_id: str) -> str:
    if user_identity.get("accountId") != account_id:
        return ""
    if user_identity.get("type") == "IAMUser" and user_identity.get("userName"):
        return f"user:{user_identity['userName']}"
    issuer = (user_identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    if user_identity.get("type") == "AssumedRole" and issuer.get("userName"):
        return f"role:{issuer['userName']}"
    return ""


def _context_rows(event: Event) -> list[tuple[str, str]]:
    """The request's own keys worth replaying: the caller's address and MFA of the session."""
    rows: list[tuple[str, str]] = []
    try:
        ipaddress.ip_address(event.source_ip)
        rows.append(("aws:SourceIp", event.source_ip))
    except ValueError:
        pass
    attributes = (event.user_identity.get("sessionContext") or {}).get("attributes") or {}
    if attributes.get("mfaAuthenticated") == "true":
        rows.append(("aws:MultiFactorAuthPresent", "true"))
    return rows
