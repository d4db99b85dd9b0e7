"""IAM roles in a sandbox account: create, list, get; validated like AWS, authorized by `iam`, recorded as events."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import iam
from sandbox import events
from sandbox.authorize import authorize
from sandbox.errors import (
    AccessDenied,
    AwsError,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from sandbox.identity import Identity, iam_role_arn
from sandbox.moto_store import AccountBackends, account_reader, account_writer
from sandbox.sts.trust_bindings import bind_trust_policy

# AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
ROLE_NAME_PATTERN = re.compile(r"[\w+=,.@-]+", re.ASCII)
ROLE_NAME_MAX = 64
DESCRIPTION_MAX = 1000
DESCRIPTION_PATTERN = re.compile(r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*")
ROLES_PER_ACCOUNT = 1000  # AWS default quota

ROLE_NAME_INVALID = (
    "1 validation error detected: Value '{value}' at 'roleName' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
)
ROLE_NAME_TOO_LONG = (
    "1 validation error detected: Value '{value}' at 'roleName' failed to satisfy constraint: "
    "Member must have length less than or equal to 64"
)
ROLE_NAME_EMPTY = (
    "1 validation error detected: Value '' at 'roleName' failed to satisfy constraint: "
    "Member must have length greater than or equal to 1"
)
DESCRIPTION_TOO_LONG = (
    "1 validation error detected: Value at 'description' failed to satisfy constraint: "
    "Member must have length less than or equal to 1000"
)
DESCRIPTION_INVALID = (
    "1 validation error detected: Value at 'description' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"
)
ROLE_EXISTS = "Role with name {name} already exists."
ROLE_NOT_FOUND = "The role with name {name} cannot be found."
CONSOLE_USER_AGENT = "iam-training-console"  # AWS records console calls with the console's user agent
ROLE_QUOTA = "Cannot exceed quota for RolesPerAccount: 1000"
INVALID_PRINCIPAL = 'Invalid principal in policy: "AWS":"{value}"'


@dataclass(frozen=True, slots=True)
class RoleInfo:
    """What the console and graders need to know about one role."""

    name: str
    arn: str
    role_id: str
    path: str
    description: str
    created: datetime
    trust_policy: str
    max_session_duration: int
    tags: tuple[tuple[str, str], ...]

    @property
    def max_session_hours(self) -> float:
        return self.max_session_duration / 3600


def _info(role: Any) -> RoleInfo:
    return RoleInfo(
        name=role.name,
        arn=role.arn,
        role_id=role.id,
        path=role.path,
        description=role.description or "",
        created=role.create_date,
        trust_policy=role.assume_role_policy_document,
        max_session_duration=int(role.max_session_duration or 3600),
        tags=tuple((tag["Key"], tag["Value"]) for tag in role.tags),
    )


def validate_role_name(name: str) -> None:
    if not name:
        raise ValidationError(ROLE_NAME_EMPTY)
    if len(name) > ROLE_NAME_MAX:
        raise ValidationError(ROLE_NAME_TOO_LONG.format(value=name[:80]))
    if not ROLE_NAME_PATTERN.fullmatch(name):
        raise ValidationError(ROLE_NAME_INVALID.format(value=name))


def validate_description(description: str) -> None:
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(DESCRIPTION_TOO_LONG)
    if not DESCRIPTION_PATTERN.fullmatch(description):
        raise ValidationError(DESCRIPTION_INVALID)


def parse_trust_policy(document: str) -> iam.Policy:
    """Parse a trust policy or raise MalformedPolicyDocument carrying the engine's path and line."""
    try:
        return iam.parse_policy(document, name="trust-policy", kind=iam.PolicyKind.TRUST)
    except iam.PolicySyntaxError as exc:
        raise MalformedPolicyDocument(exc.message, extra={"path": exc.path, "line": exc.line}) from exc


def check_principals_exist(backends: AccountBackends, policy: iam.Policy) -> None:
    """AWS rejects a trust policy naming a user or role of the same account that does not exist."""
    prefix = f"arn:aws:iam::{backends.account_id}:"
    named = [
        principal.value for statement in policy.statements for principal in statement.principals
        if principal.kind == "AWS" and principal.value.startswith(prefix)
    ]
    if not named:  # most trust policies name services, providers or accounts: no need to list the account
        return
    roles = {role.arn for role in backends.iam.get_roles()}
    users = {user.arn for user in backends.iam.users.values()}
    for value in named:
        resource = value.split(":", 5)[5]
        if (resource.startswith("role/") and value not in roles) or (
            resource.startswith("user/") and value not in users
        ):
            raise MalformedPolicyDocument(INVALID_PRINCIPAL.format(value=value))


def role_create(
    *, identity: Identity, role_name: str, trust_policy: str, description: str = "", path: str = "/"
) -> RoleInfo:
    """CreateRole in the identity's account, as AWS does it."""
    params = {"roleName": role_name, "path": path, "description": description, "assumeRolePolicyDocument": trust_policy}
    account_id = identity.account_id
    arn = iam_role_arn(account_id, role_name, path)
    try:
        validate_role_name(role_name)
        validate_description(description)
        policy = parse_trust_policy(trust_policy)
        with account_writer(account_id) as backends:
            authorize(backends, identity, action="iam:CreateRole", resource=arn)
            existing = list(backends.iam.get_roles())
            if any(role.name.lower() == role_name.lower() for role in existing):
                raise EntityAlreadyExists(ROLE_EXISTS.format(name=role_name))
            if len(existing) >= ROLES_PER_ACCOUNT:
                raise LimitExceeded(ROLE_QUOTA)
            check_principals_exist(backends, policy)
            role = backends.iam.create_role(
                role_name=role_name,
                assume_role_policy_document=trust_policy,
                path=path,
                permissions_boundary=None,
                description=description,
                tags=[],
                max_session_duration="3600",
            )
            info = _info(role)
            bind_trust_policy(backends, role_name, trust_policy)
            events.event_record(
                identity=identity, account_id=account_id, event_name="CreateRole", request_parameters=params,
                response_elements={"role": {"arn": info.arn, "roleId": info.role_id, "roleName": info.name}},
                user_agent=CONSOLE_USER_AGENT,
            )
            return info
    except AwsError as exc:
        _record_failure(identity, "CreateRole", params, exc)
        raise


def _record_failure(
    identity: Identity, event_name: str, params: dict[str, Any], exc: AwsError, *, read_only: bool = False
) -> None:
    events.event_record(
        identity=identity, account_id=identity.account_id, event_name=event_name,
        request_parameters=params, error_code=exc.code, error_message=exc.message, read_only=read_only,
        user_agent=CONSOLE_USER_AGENT,
    )


def _record_read(identity: Identity, event_name: str, params: dict[str, Any]) -> None:
    """Console reads are API calls too: CloudTrail records them (read-only events)."""
    events.event_record(
        identity=identity, account_id=identity.account_id, event_name=event_name, request_parameters=params,
        read_only=True, user_agent=CONSOLE_USER_AGENT,
    )


def role_list(*, identity: Identity) -> tuple[RoleInfo, ...]:
    """ListRoles in the identity's account, sorted by name as the console shows them."""
    try:
        with account_reader(identity.account_id) as backends:
            authorize(backends, identity, action="iam:ListRoles", resource="*")
            found = tuple(sorted((_info(role) for role in backends.iam.get_roles()), key=lambda r: r.name.lower()))
    except AccessDenied as exc:
        # Recorded outside the reader: no database write while holding the moto lock.
        _record_failure(identity, "ListRoles", {}, exc)
        raise
    _record_read(identity, "ListRoles", {})
    return found


def role_get(*, identity: Identity, role_name: str) -> RoleInfo:
    """GetRole in the identity's account; NoSuchEntity when it is not there."""
    try:
        with account_reader(identity.account_id) as backends:
            matches = [role for role in backends.iam.get_roles() if role.name == role_name]
            arn = matches[0].arn if matches else iam_role_arn(identity.account_id, role_name)
            authorize(backends, identity, action="iam:GetRole", resource=arn)
            if not matches:
                raise NoSuchEntity(ROLE_NOT_FOUND.format(name=role_name))
            found = _info(matches[0])
    except (AccessDenied, NoSuchEntity) as exc:
        _record_failure(identity, "GetRole", {"roleName": role_name}, exc, read_only=True)
        raise
    _record_read(identity, "GetRole", {"roleName": role_name})
    return found


def trust_policy_pretty(document: str) -> str:
    """A trust policy as indented JSON for display (the stored text when it is not JSON)."""
    try:
        return json.dumps(json.loads(document), indent=4)
    except ValueError:
        return document


def roles_snapshot(*, account_id: str) -> tuple[RoleInfo, ...]:
    """Every role of an account as stored now: the platform's own read for graders (not a learner's API call)."""
    with account_reader(account_id) as backends:
        return tuple(_info(role) for role in backends.iam.get_roles())
