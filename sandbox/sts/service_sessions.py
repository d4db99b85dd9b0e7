"""Role sessions AWS services start for themselves: EC2 for an instance profile's role, Lambda for an execution role.

The service is the caller: the role's trust policy alone decides (a service principal has no identity-based policies,
no permissions boundary and no SCPs). The session is stored like any AssumeRole session, so its credentials sign
requests at the endpoint, and CloudTrail gets the AssumeRole event AWS writes, made by `AWSService`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import iam
from sandbox import events
from sandbox.clock import sandbox_now
from sandbox.identity import ASSUMED_ROLE, Identity, assumed_role_arn
from sandbox.models import Account, StsSession
from sandbox.moto_store import AccountBackends, account_reader
from sandbox.policy_cache import stored_policy
from sandbox.sts import sessions
from sandbox.sts.records import STS_SOURCE, credentials_elements

SERVICE_SESSION_SECONDS = 3600
# AWS: new instance credentials are available at least five minutes before the old ones expire.
RENEW_BEFORE = timedelta(minutes=5)
_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)", re.ASCII)


@dataclass(frozen=True, slots=True)
class ServiceRole:
    """A role handed to a service, as it is now in its account's IAM state."""

    account_id: str
    arn: str
    name: str
    path: str
    role_id: str
    trust_policy: str


def role_from_backends(backends: AccountBackends, role_arn: str) -> ServiceRole | None:
    """The role `role_arn` (its path must match) in the account whose state `backends` holds; None if absent."""
    match = _ROLE_ARN.fullmatch(role_arn)
    if match is None or match.group(1) != backends.account_id:
        return None
    _, path, name = match.groups()
    role = next((r for r in backends.iam.get_roles() if r.name == name and r.path == path), None)
    if role is None:
        return None
    return ServiceRole(
        account_id=backends.account_id, arn=str(role.arn), name=str(role.name), path=str(role.path),
        role_id=str(role.id), trust_policy=str(role.assume_role_policy_document),
    )


def service_role(account_id: str, role_arn: str) -> ServiceRole | None:
    """The role `role_arn` in `account_id`, read from the account's stored state."""
    with account_reader(account_id) as backends:
        return role_from_backends(backends, role_arn)


def service_may_assume(role: ServiceRole, service: str) -> iam.Evaluation:
    """May `service` (`ec2.amazonaws.com`) assume `role`? The engine decides with the trust policy only."""
    moment = sandbox_now(role.account_id)
    context = iam.make_context({
        "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(moment.timestamp())),
        "aws:PrincipalIsAWSService": "true",
        "aws:PrincipalServiceName": service,
    })
    try:
        trust = stored_policy(role.trust_policy, name=f"{role.name} trust policy", kind=iam.PolicyKind.TRUST)
    except iam.PolicySyntaxError:
        trust = None  # a stored trust policy that no longer parses trusts nobody
    request = iam.Request(
        action="sts:AssumeRole", resource=role.arn, principal=iam.Principal.service(service), context=context,
        resource_account=role.account_id,
    )
    return iam.evaluate(request, iam.PolicyInputs(resource=trust))


def service_identity(service: str, account_id: str) -> Identity:
    """The service as the caller of the AssumeRole it makes (for the event history)."""
    return Identity(account_id=account_id, arn=service, type="AWSService", name=service, principal_id=service)


def service_session(*, role: ServiceRole, service: str, session_name: str) -> StsSession | None:
    """Credentials `service` holds for `role` under `session_name` (an instance id): the current ones while they
    have more than five minutes left, else new ones. None when the trust policy does not let the service in."""
    now = sandbox_now(role.account_id)
    current = StsSession.objects.filter(
        account__account_id=role.account_id, kind=ASSUMED_ROLE, role_id=role.role_id, role_name=role.name,
        session_name=session_name, issued_to__invokedBy=service, expires_at__gt=now + RENEW_BEFORE,
    ).order_by("-expires_at").first()
    if not service_may_assume(role, service).allowed:
        return None
    if current is not None:
        return current
    session = sessions.store_session(StsSession(
        access_key_id=sessions.new_access_key_id(), secret_access_key=sessions.new_secret_access_key(),
        session_token=sessions.new_session_token(), kind=ASSUMED_ROLE,
        account=Account.objects.get(account_id=role.account_id), role_name=role.name, path=role.path,
        role_id=role.role_id, session_name=session_name, issued_at=now,
        expires_at=now + timedelta(seconds=SERVICE_SESSION_SECONDS),
        issued_to={"type": "AWSService", "invokedBy": service},
    ))
    _record_assume_role(role, service, session)
    return session


def _record_assume_role(role: ServiceRole, service: str, session: StsSession) -> None:
    """The event AWS writes in the role's account when a service assumes it."""
    events.event_record(
        identity=service_identity(service, role.account_id), account_id=role.account_id, event_name="AssumeRole",
        event_source=STS_SOURCE, user_identity={"type": "AWSService", "invokedBy": service},
        request_parameters={"roleArn": role.arn, "roleSessionName": session.session_name},
        response_elements={
            "credentials": credentials_elements(session),
            "assumedRoleUser": {
                "assumedRoleId": f"{role.role_id}:{session.session_name}",
                "arn": assumed_role_arn(role.account_id, role.name, session.session_name),
            },
        },
        source_ip=service, user_agent=service,
    )
