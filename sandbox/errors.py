"""Errors raised by the sandbox, shaped like AWS API errors (code, message, HTTP status)."""
from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business error that views turn into a form error or message (never a 500)."""

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class AwsError(ApplicationError):
    """An error AWS itself would return: `code` is the AWS error code, `status` the HTTP status."""

    code = "ServiceFailure"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        if code:
            self.code = code
        if status:
            self.status = status


class AccessDenied(AwsError):
    code = "AccessDenied"
    status = 403


class ValidationError(AwsError):
    code = "ValidationError"
    status = 400


class MalformedPolicyDocument(AwsError):
    code = "MalformedPolicyDocument"
    status = 400


class EntityAlreadyExists(AwsError):
    code = "EntityAlreadyExists"
    status = 409


class NoSuchEntity(AwsError):
    code = "NoSuchEntity"
    status = 404


class LimitExceeded(AwsError):
    code = "LimitExceeded"
    status = 409


class OrganizationsError(AwsError):
    """An AWS Organizations error (JSON protocol: HTTP 400 with `__type`)."""

    status = 400


class StaleSnapshot(Exception):
    """A stored account cannot be loaded by this moto version (or has no start state): an operator must act."""


class SandboxUnavailable(Exception):
    """A transient failure to reach the sandbox's storage (database locked or unreachable): retry later."""
