"""CloudTrail-like event history: one `Event` per API call, written with the call's own transaction."""
from __future__ import annotations

from typing import Any

from django.db import transaction

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
) -> Event:
    """Store one event in `account_id`'s history (inside the caller's transaction, if any)."""
    with transaction.atomic():
        account = Account.objects.get(account_id=account_id)
        return Event.objects.create(
            account=account,
            event_source=event_source,
            event_name=event_name,
            user_identity={**identity.user_identity(), **({"accessKeyId": access_key_id} if access_key_id else {})},
            request_parameters=request_parameters or {},
            response_elements=response_elements,
            error_code=error_code,
            error_message=error_message[:4000],
            request_id=request_id,
            aws_region=aws_region,
            source_ip=source_ip[:64],
            user_agent=user_agent[:512],
            read_only=read_only,
        )


def event_list(*, account_id: str, limit: int = 50) -> list[Event]:
    return list(Event.objects.filter(account__account_id=account_id)[:limit])
