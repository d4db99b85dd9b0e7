"""CloudTrail (2013-11-01): event history, which supports no resource type (checked on `*`)."""

from __future__ import annotations

from sandbox.operations.model import Authorization, Operation
from sandbox.operations.scope import Handler, Scope, anywhere


def lookup_events(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    return (anywhere("cloudtrail:LookupEvents", scope),)


HANDLERS: dict[str, Handler] = {"LookupEvents": lookup_events}
