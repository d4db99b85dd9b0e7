"""What every EC2 and Lambda call goes through: IAM checks with their resources' tags, and an event in the history."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sandbox import events
from sandbox.authorize import CallOrigin, authorize
from sandbox.endpoint.calls import CallInfo
from sandbox.endpoint.resolver import MotoResolver
from sandbox.errors import AwsError
from sandbox.identity import Identity
from sandbox.models import Ec2Instance, LambdaFunction
from sandbox.moto_store import AccountBackends
from sandbox.operations import Authorization, Operation, authorization_requests

READ_ONLY_PREFIXES = ("Describe", "Get", "List")
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


class ServiceResolver(MotoResolver):
    """The IAM look-ups, plus the tags of the account's own EC2 instances and Lambda functions (for
    `aws:ResourceTag/<key>`). Resources of other accounts have none here: their state is never read."""

    def __init__(self, backends: AccountBackends, account_id: str) -> None:
        super().__init__(backends, account_id)
        self.account_id = account_id

    def resource_tags(self, arn: str) -> Mapping[str, str]:
        parts = arn.split(":", 6)
        if len(parts) < 6 or parts[4] != self.account_id:
            return super().resource_tags(arn)
        service, region, resource = parts[2], parts[3], parts[5]
        if service == "ec2" and resource.startswith("instance/"):
            instances = Ec2Instance.objects.filter(
                account__account_id=self.account_id, region=region, instance_id=resource.removeprefix("instance/")
            )
            return dict(instances.values_list("tags", flat=True).first() or {})
        if service == "lambda" and resource == "function" and len(parts) == 7:
            functions = LambdaFunction.objects.filter(
                account__account_id=self.account_id, region=region, name=parts[6].split(":", 1)[0]
            )
            return dict(functions.values_list("tags", flat=True).first() or {})
        return super().resource_tags(arn)


def call_checks(backends: AccountBackends, identity: Identity, operation: Operation) -> tuple[Authorization, ...]:
    """The checks IAM makes for `operation` in the caller's account (`sandbox.operations`)."""
    resolver = ServiceResolver(backends, identity.account_id)
    return authorization_requests(operation, account_id=identity.account_id, resolve=resolver, caller_arn=identity.arn)


def authorize_all(
    backends: AccountBackends, identity: Identity, checks: Iterable[Authorization], origin: CallOrigin
) -> None:
    """Every check must allow the call; the first that does not raises AccessDenied."""
    for check in checks:
        authorize(
            backends, identity, action=check.action, resource=check.resource, context=check.context,
            resource_account=check.resource_account, origin=origin,
        )


def cloudtrail_parameters(params: Mapping[str, Any], hidden: Iterable[str] = ()) -> dict[str, Any]:
    """Parameters as CloudTrail writes them (camel case from a lower-case letter); `hidden` ones redacted."""
    secret = set(hidden)
    return {key[:1].lower() + key[1:]: HIDDEN if key in secret else value for key, value in params.items()}


def record_service_call(
    identity: Identity, operation: Operation, info: CallInfo, *, error: AwsError | None,
    parameters: dict[str, Any] | None = None, response: dict[str, Any] | None = None,
) -> None:
    """One event in the caller's history (allowed, denied or failed), from `ec2.amazonaws.com` and the like."""
    events.event_record(
        identity=identity,
        account_id=identity.account_id,
        event_name=operation.name,
        event_source=f"{operation.service}.amazonaws.com",
        request_parameters=parameters if parameters is not None else cloudtrail_parameters(operation.params),
        response_elements=response if error is None else None,
        error_code=error.code if error else "",
        error_message=error.message if error else "",
        request_id=info.request_id,
        aws_region=info.region,
        source_ip=info.source_ip,
        user_agent=info.user_agent,
        read_only=operation.name.startswith(READ_ONLY_PREFIXES),
        access_key_id=info.access_key_id,
    )
