"""Date operators: DateEquals, DateLessThan and the rest (ISO 8601 or epoch seconds)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from iam.conditions.base import Compiler, ordered

_EPOCH = re.compile(r"-?\d+(?:\.\d+)?\Z")


def parse_date(text: str) -> datetime | None:
    """Read an ISO 8601 date or date-time (UTC when no offset is given) or epoch seconds.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
    """
    text = text.strip()
    try:
        if _EPOCH.match(text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def comparing(check: Callable[[datetime, datetime], bool]) -> Compiler:
    """A compiler for `request_value <check> policy_value`; unreadable request values never match.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
    """
    return ordered(parse_date, check)
