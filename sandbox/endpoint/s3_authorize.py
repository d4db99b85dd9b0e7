"""S3 calls decided by the `iam` engine: the caller's identity policies plus the bucket policy, AWS's S3 rules.

Who owns a bucket comes from the installation-wide `Bucket` registry. A bucket of another learner's sandbox does not
exist for the caller: every check on it is refused as AWS refuses a bucket whose owner granted you nothing, and its
bucket policy is never read, so no Principal, wildcard or condition in it can reach across learners. Inside the
learner's organization a cross-account call needs both the caller's identity policy and the bucket policy (the engine
applies AWS's cross-account rule when the bucket's account differs from the caller's).
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html
"""
from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import iam
from sandbox.authorize import CallerPolicies, request_for
from sandbox.authorize import caller_policies as policies_of_caller
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity
from sandbox.models import Account, Bucket
from sandbox.moto_store import account_reader
from sandbox.operations import Authorization, NullResolver, OrganizationRef

BUCKET_POLICY_SIZE_LIMIT = 20 * 1024
POLICY_KIND_WORDS = {
    iam.PolicyKind.IDENTITY: "identity-based policy",
    iam.PolicyKind.RESOURCE: "resource-based policy",
    iam.PolicyKind.BOUNDARY: "permissions boundary",
    iam.PolicyKind.SESSION: "session policy",
    iam.PolicyKind.SCP: "service control policy",
}
INVALID_RESOURCE = "Policy has invalid resource"
INVALID_ACTION = "Policy has invalid action"
MISSING_RESOURCE = "Missing required field Resource"
POLICY_TOO_LARGE = "Policy exceeds the maximum allowed document size."


class MalformedPolicy(AwsError):
    code = "MalformedPolicy"
    status = 400


@dataclass(frozen=True, slots=True)
class CallerScope:
    """What the checks of one call need to know about the caller's world."""

    identity: Identity
    sandbox_accounts: frozenset[str]  # every account of the caller's sandbox
    organization: OrganizationRef | None
    owners: Mapping[str, str]  # bucket name -> owning account, for the buckets the call names
    source_ip: str = ""

    def is_foreign(self, account_id: str | None) -> bool:
        """True for an account of another learner (None: the bucket does not exist)."""
        return account_id is not None and account_id not in self.sandbox_accounts


def caller_scope(identity: Identity, buckets: Iterable[str], source_ip: str = "") -> CallerScope:
    """The caller's sandbox accounts, organization, and the owners of the named buckets (from the database)."""
    account = Account.objects.select_related("sandbox").get(account_id=identity.account_id)
    accounts = {a.account_id: a for a in account.sandbox.accounts.all()}
    organization = getattr(account.sandbox, "organization", None)
    home = next((a for a in accounts.values() if a.is_home), None)
    org = (
        OrganizationRef(id=organization.org_id, management_account_id=home.account_id)
        if organization is not None and home is not None and account.kind != Account.Kind.EXTERNAL
        else None
    )
    owners = dict(Bucket.objects.filter(name__in=set(buckets)).values_list("name", "account__account_id"))
    return CallerScope(identity, frozenset(accounts), org, owners, source_ip)


class BucketOwnerResolver(NullResolver):
    """The mapper's look-ups for S3: who owns a bucket, and the caller's organization."""

    def __init__(self, scope: CallerScope) -> None:
        self._scope = scope

    def bucket_owner(self, bucket: str) -> str | None:
        return self._scope.owners.get(bucket)

    def organization(self) -> OrganizationRef | None:
        return self._scope.organization


def caller_policies(identity: Identity) -> CallerPolicies:
    """The caller's policies, read from their own account."""
    with account_reader(identity.account_id) as backends:
        return policies_of_caller(backends, identity)


def bucket_of(resource: str) -> str | None:
    """`arn:aws:s3:::bucket[/key]` -> bucket; None for `*` and other ARNs."""
    prefix, _, rest = resource.partition(":::")
    if not prefix.endswith(":s3") or not rest:
        return None
    return rest.split("/", 1)[0]


def stored_bucket_policy(bucket: Any) -> iam.Policy | None:
    """The engine's view of a moto bucket's policy (validated when it was put; one that no longer parses grants
    nothing)."""
    if bucket is None or not bucket.policy:
        return None
    try:
        return iam.parse_policy(bucket.policy.decode(), name=f"{bucket.name} bucket policy",
                                kind=iam.PolicyKind.RESOURCE, check_size=False)
    except iam.PolicySyntaxError:
        return None


def authorize_checks(
    scope: CallerScope, checks: Iterable[Authorization], *, identity: CallerPolicies,
    bucket_policies: Mapping[str, iam.Policy | None],
) -> None:
    """Raise AccessDenied (with the engine's reason as message) unless every check is allowed."""
    for check in checks:
        bucket = bucket_of(check.resource)
        if scope.is_foreign(check.resource_account):
            raise AccessDenied(_denied(scope.identity, check, iam.PolicyKind.RESOURCE, explicit=False))
        request = request_for(
            scope.identity, action=check.action, resource=check.resource,
            context=check.context.merged_with(_caller_keys(scope)), resource_account=check.resource_account,
            principal_tags=identity.tags,
        )
        resource_policy = bucket_policies.get(bucket) if bucket else None
        evaluation = iam.evaluate(request, identity.inputs(resource_policy))
        if not evaluation.allowed:
            raise AccessDenied(_message(scope.identity, check, evaluation), extra={"evaluation": evaluation})


def _caller_keys(scope: CallerScope) -> iam.Context:
    keys: dict[str, str] = {}
    if scope.source_ip:
        keys["aws:SourceIp"] = scope.source_ip
    return iam.make_context(keys)


def _message(identity: Identity, check: Authorization, evaluation: iam.Evaluation) -> str:
    if evaluation.decision is iam.Decision.EXPLICIT_DENY:
        kinds = [result.kind for result in evaluation.policy_results if result.denied]
        kind = iam.PolicyKind.RESOURCE if iam.PolicyKind.RESOURCE in kinds else kinds[0]
        return _denied(identity, check, kind, explicit=True)
    blocked = evaluation.blocked_by or (iam.PolicyKind.IDENTITY,)
    return _denied(identity, check, *blocked, explicit=False)


def _denied(identity: Identity, check: Authorization, *kinds: iam.PolicyKind, explicit: bool) -> str:
    """AWS's wording for who may not do what; S3 itself only answers "Access Denied", the event keeps this."""
    words = [POLICY_KIND_WORDS.get(kind, str(kind)) for kind in kinds]
    because = (
        f"with an explicit deny in a {words[0]}" if explicit
        else f"because no {' and no '.join(words)} allows the {check.action} action"
    )
    return f"User: {identity.arn} is not authorized to perform: {check.action} on resource: {check.resource} {because}"


def parse_bucket_policy(bucket: str, document: str) -> iam.Policy:
    """A bucket policy as S3 accepts it, or MalformedPolicy with the reason.

    The engine checks the grammar (a resource-based policy: every statement names a Principal); S3 adds that the
    policy is at most 20 KB and that every Resource lies in this bucket. A Principal may name any account id, as in
    AWS: one outside the learner's sandbox never matches anyone here, since every caller is a verified principal of
    this installation and account ids are unique.
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
    """
    if len(document.encode()) > BUCKET_POLICY_SIZE_LIMIT:
        raise MalformedPolicy(POLICY_TOO_LARGE)
    try:
        policy = iam.parse_policy(document, name=f"{bucket} bucket policy", kind=iam.PolicyKind.RESOURCE,
                                  check_size=False)
    except iam.PolicySyntaxError as error:
        where = f" (at {error.path}{f', line {error.line}' if error.line else ''})" if error.path != "$" else ""
        raise MalformedPolicy(f"{error.message}{where}") from None
    for statement in policy.statements:
        resources = statement.resources + statement.not_resources
        if not resources:
            raise MalformedPolicy(MISSING_RESOURCE)
        if not all(_in_bucket(resource, bucket) for resource in resources):
            raise MalformedPolicy(INVALID_RESOURCE)
        if not all(_is_s3_action(action) for action in statement.actions + statement.not_actions):
            raise MalformedPolicy(INVALID_ACTION)
    return policy


def _in_bucket(resource: str, bucket: str) -> bool:
    partition_and_rest = resource.split(":", 5)
    if len(partition_and_rest) != 6 or partition_and_rest[2] != "s3" or partition_and_rest[3:5] != ["", ""]:
        return False
    name = partition_and_rest[5].split("/", 1)[0]
    return iam_wildcard_match(name, bucket)


def iam_wildcard_match(pattern: str, value: str) -> bool:
    """`*` and `?` as IAM resource patterns use them (enough to say whether a Resource can name this bucket)."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _is_s3_action(action: str) -> bool:
    return action == "*" or action.lower().startswith("s3:")
