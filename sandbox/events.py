"""CloudTrail-like event history: one `Event` per API call, written with the call's own transaction."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from sandbox import request_memo
from sandbox.errors import AwsError
from sandbox.identity import Identity
from sandbox.models import Account, Event

IAM_SOURCE = "iam.amazonaws.com"


def event_record(
    *,
    identity: Identity,
    account_id: str,
    event_name: str,
    event_source: str = IAM_SOURCE,
    request_parameters: dict[str, Any] | None = None,
    response_elements: dict[str, Any] | None = None,
    error_code: str = "",
    error_message: str = "",
    request_id: str = "",
    aws_region: str = "us-east-1",
    source_ip: str = "",
    user_agent: str = "",
    read_only: bool = False,
    access_key_id: str = "",
    user_identity: dict[str, Any] | None = None,
    event_type: str = "AwsApiCall",
    additional_event_data: dict[str, Any] | None = None,
) -> Event:
    """Store one event in `account_id`'s history (inside the caller's transaction, if any)."""
    # No savepoint of its own inside the caller's transaction: the event is part of the call's write.
    with transaction.atomic(savepoint=False):
        account_pk = request_memo.remembered_pk(account_id)
        if account_pk is None:
            account_pk = Account.objects.values_list("pk", flat=True).get(account_id=account_id)
        return Event.objects.create(
            account_id=account_pk,
            event_source=event_source,
            event_name=event_name,
            user_identity=user_identity if user_identity is not None else {
                **identity.user_identity(), **({"accessKeyId": access_key_id} if access_key_id else {})
            },
            request_parameters=request_parameters or {},
            response_elements=response_elements,
            error_code=error_code,
            error_message=error_message[:4000],
            request_id=request_id,
            aws_region=aws_region,
            source_ip=(source_ip or identity.source_ip)[:64],
            user_agent=user_agent[:512],
            read_only=read_only,
            event_type=event_type,
            additional_event_data=additional_event_data,
        )


def event_list(*, account_id: str, limit: int = 50) -> list[Event]:
    return list(Event.objects.filter(account__account_id=account_id)[:limit])


RESOURCE_PARAMETERS = (
    ("roleName", "AWS::IAM::Role"),
    ("roleArn", "AWS::IAM::Role"),
    ("userName", "AWS::IAM::User"),
    ("groupName", "AWS::IAM::Group"),
    ("policyArn", "AWS::IAM::Policy"),
    ("instanceProfileName", "AWS::IAM::InstanceProfile"),
    ("bucketName", "AWS::S3::Bucket"),
    ("accessKeyId", "AWS::IAM::AccessKey"),
)
LOOKUP_KEYS = frozenset(
    {"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}
)
LOOKUP_PAGE_MAX = 50
ONE_ATTRIBUTE = "LookupAttributes can contain only one attribute"  # AWS: one lookup attribute per call


@dataclass(frozen=True, slots=True)
class LookupPage:
    events: list[dict[str, Any]]
    next_token: str | None


def event_resources(event: Event) -> list[dict[str, str]]:
    """The resources an event names, as CloudTrail's LookupEvents lists them."""
    found = []
    for parameter, resource_type in RESOURCE_PARAMETERS:
        value = event.request_parameters.get(parameter)
        if isinstance(value, str) and value:
            found.append({"ResourceType": resource_type, "ResourceName": value})
    return found


def event_cloudtrail_record(event: Event) -> dict[str, Any]:
    """The event as a CloudTrail record (the `CloudTrailEvent` JSON of LookupEvents)."""
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": event.user_identity,
        "eventTime": event.event_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": event.event_source,
        "eventName": event.event_name,
        "awsRegion": event.aws_region,
        "sourceIPAddress": event.source_ip,
        "userAgent": event.user_agent,
        "requestParameters": event.request_parameters or None,
        "responseElements": event.response_elements,
        "requestID": event.request_id,
        "eventID": str(event.event_id),
        "readOnly": event.read_only,
        "eventType": event.event_type,
        "managementEvent": True,
        "recipientAccountId": event.account.account_id,
        "eventCategory": "Management",
    }
    if event.additional_event_data is not None:
        record["additionalEventData"] = event.additional_event_data
    if event.error_code:
        record["errorCode"] = event.error_code
        record["errorMessage"] = event.error_message
    return record


def _lookup_entry(event: Event) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "EventId": str(event.event_id),
        "EventName": event.event_name,
        "ReadOnly": "true" if event.read_only else "false",
        "EventTime": event.event_time.timestamp(),
        "EventSource": event.event_source,
        "Username": event_user_name(event),
        "Resources": event_resources(event),
        "CloudTrailEvent": json.dumps(event_cloudtrail_record(event), default=str),
    }
    if event.user_identity.get("accessKeyId"):
        entry["AccessKeyId"] = event.user_identity["accessKeyId"]
    return entry


def event_user_name(event: Event) -> str:
    """CloudTrail's "User name": the IAM user's name, or a role session's name (the ARN's last part)."""
    identity = event.user_identity
    if identity.get("userName"):
        return str(identity["userName"])
    if identity.get("type") == "AssumedRole":
        return str(identity.get("arn", "")).rsplit("/", 1)[-1]
    return ""


def _filtered(queryset: QuerySet[Event], key: str, value: str) -> QuerySet[Event] | list[Event]:
    if key == "Username":
        session_suffix = f"/{value}"
        return queryset.filter(
            Q(user_identity__userName=value)
            | Q(user_identity__type="AssumedRole", user_identity__arn__endswith=session_suffix)
        )
    simple = {
        "EventId": "event_id", "EventName": "event_name", "EventSource": "event_source",
        "AccessKeyId": "user_identity__accessKeyId",
    }
    if key in simple:
        if key == "EventId":
            try:
                uuid.UUID(value)
            except ValueError:
                return []
        return queryset.filter(**{simple[key]: value})
    if key == "ReadOnly":
        return queryset.filter(read_only=value.lower() == "true")
    wanted = "ResourceType" if key == "ResourceType" else "ResourceName"
    return [event for event in queryset if any(r[wanted] == value for r in event_resources(event))]


def _moment(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def event_lookup(
    *, account_id: str, attributes: list[dict[str, str]], start: object = None, end: object = None,
    max_results: object = None, next_token: object = None,
) -> LookupPage:
    """CloudTrail LookupEvents over one account's history: newest first, one attribute, a time window, pages."""
    if len(attributes) > 1:
        raise AwsError(ONE_ATTRIBUTE, code="InvalidLookupAttributesException", status=400)
    queryset = Event.objects.filter(account__account_id=account_id).select_related("account").order_by("-id")
    if (since := _moment(start)) is not None:
        queryset = queryset.filter(event_time__gte=since)
    if (until := _moment(end)) is not None:
        queryset = queryset.filter(event_time__lte=until)
    selected: QuerySet[Event] | list[Event] = queryset
    for attribute in attributes:
        key, value = attribute.get("AttributeKey", ""), attribute.get("AttributeValue", "")
        if key not in LOOKUP_KEYS:
            raise AwsError(f"invalid attribute key {key}", code="InvalidLookupAttributesException", status=400)
        selected = _filtered(queryset, key, value)
    wanted = max_results if isinstance(max_results, int) and max_results > 0 else LOOKUP_PAGE_MAX
    size = min(wanted, LOOKUP_PAGE_MAX)
    if isinstance(next_token, str) and next_token.isdigit():
        # The token is the last event returned: later pages stay stable while new events keep arriving.
        if isinstance(selected, QuerySet):
            selected = selected.filter(id__lt=int(next_token))
        else:
            selected = [event for event in selected if event.pk < int(next_token)]
    window = list(selected[: size + 1])
    more = len(window) > size
    page = window[:size]
    return LookupPage([_lookup_entry(event) for event in page], str(page[-1].pk) if more else None)


def events_prune(*, now: datetime | None = None, retention_days: int | None = None) -> int:
    """Delete events older than the retention (settings.EVENT_RETENTION_DAYS; CloudTrail keeps 90 days)."""
    from django.conf import settings

    days = settings.EVENT_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    deleted, _ = Event.objects.filter(event_time__lt=cutoff).delete()
    return deleted


def event_search(
    *, account_id: str, event_name: str = "", username: str = "", resource_name: str = "",
    since: datetime | None = None, until: datetime | None = None, errors_only: bool = False, limit: int = 50,
) -> list[Event]:
    """The account's history filtered as the console's event history page filters it, newest first."""
    queryset = Event.objects.filter(account__account_id=account_id).select_related("account").order_by("-id")
    if event_name:
        queryset = queryset.filter(event_name=event_name)
    if username:
        queryset = queryset.filter(user_identity__userName=username)
    if since is not None:
        queryset = queryset.filter(event_time__gte=since)
    if until is not None:
        queryset = queryset.filter(event_time__lte=until)
    if errors_only:
        queryset = queryset.exclude(error_code="")
    if not resource_name:
        return list(queryset[:limit])
    matching = (event for event in queryset.iterator() if any(
        resource["ResourceName"] == resource_name for resource in event_resources(event)))
    return [event for _, event in zip(range(limit), matching, strict=False)]
