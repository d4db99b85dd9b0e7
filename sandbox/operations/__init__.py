"""Map each AWS API call the sandbox supports to the checks IAM makes: actions, resources, keys."""

from __future__ import annotations

from sandbox.operations.iam_special import service_linked_role_name
from sandbox.operations.model import (
    Authorization,
    Operation,
    OperationError,
    OrganizationRef,
    RequestRejected,
    UnsupportedOperation,
)
from sandbox.operations.registry import SERVICES, authorization_requests, supported_operations
from sandbox.operations.resolver import NullResolver, Resolver

__all__ = [
    "SERVICES",
    "Authorization",
    "NullResolver",
    "Operation",
    "OperationError",
    "OrganizationRef",
    "RequestRejected",
    "Resolver",
    "UnsupportedOperation",
    "authorization_requests",
    "service_linked_role_name",
    "supported_operations",
]
