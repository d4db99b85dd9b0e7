"""What IAM checks before it stores a policy or a name, and moto does not: done with our engine, AWS's words."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import iam
from iam.limits import InlineOwner
from sandbox.endpoint import iam_providers
from sandbox.endpoint.dispatch import MotoResponse, iam_error
from sandbox.errors import AwsError, LimitExceeded, MalformedPolicyDocument
from sandbox.models import Account
from sandbox.moto_store import AccountBackends, account_reader
from sandbox.roles import check_principals_exist, parse_trust_policy
from sandbox.sts.params import validate

TRUST_DOCUMENTS = {"CreateRole": "AssumeRolePolicyDocument", "UpdateAssumeRolePolicy": "PolicyDocument"}
INLINE_OWNERS: dict[str, tuple[InlineOwner, str]] = {
    "PutRolePolicy": ("role", "RoleName"), "PutUserPolicy": ("user", "UserName"),
    "PutGroupPolicy": ("group", "GroupName"),
}
MFA_STILL_ASSIGNED = "Cannot delete entity, must delete MFA device first."
POLICY_ATTACHED = "Cannot delete a policy attached to entities."
POLICY_VERSIONS = (
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. "
    "The default version is deleted with the policy."
)
MANAGED_DOCUMENTS = frozenset({"CreatePolicy", "CreatePolicyVersion"})
# AWS: names of roles, users and groups are unique in an account regardless of case.
UNIQUE_NAMES = {"CreateRole": ("RoleName", "Role"), "CreateUser": ("UserName", "User"),
                "CreateGroup": ("GroupName", "Group")}
# AWS: at most 50 tags on a role or user, keys compared without case (a new `team` replaces `Team`). The text is
# the one AWS answers for an OIDC provider over its quota (LocalStack's snapshot recorded against AWS, 2026);
# assumed the same for roles and users.
TAGGED_ENTITIES = {"TagRole": "RoleName", "TagUser": "UserName"}
TAGS_PER_ENTITY = 50
TAG_QUOTA = "The number of tags has reached the maximum limit."
DUPLICATE_TAG_KEYS = "Duplicate tag keys found. Please note that Tag keys are case insensitive."


def _existing_names(backends: AccountBackends, kind: str) -> list[str]:
    if kind == "Role":
        return [str(role.name) for role in backends.iam.get_roles()]
    if kind == "User":
        return list(backends.iam.users)
    return list(backends.iam.groups)


def _inline_documents(backends: AccountBackends, owner: str, name: str) -> dict[str, str]:
    if owner == "role":
        role = next((r for r in backends.iam.get_roles() if r.name == name), None)
        return dict(role.policies) if role else {}
    entity = (backends.iam.users if owner == "user" else backends.iam.groups).get(name)
    return dict(entity.policies) if entity else {}


def precheck(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> MotoResponse | None:
    """An AWS error for a call IAM would refuse before storing anything, or None to go ahead."""
    try:
        _precheck(backends, name, params)
    except AwsError as error:
        return iam_error(error.code, error.message, error.status)
    except iam.PolicySyntaxError as error:
        status = 409 if error.code == "LimitExceeded" else 400
        return iam_error(error.code, error.message, status)
    return None


def _precheck(backends: AccountBackends, name: str, params: Mapping[str, Any]) -> None:
    # The API model's own constraints (name patterns, lengths, ranges), in IAM's words; moto checks few of them.
    validate(name, params, service="iam")
    if name == "DeletePolicy":
        _check_policy_deletable(backends, str(params.get("PolicyArn", "")))
    if name in UNIQUE_NAMES:
        parameter, kind = UNIQUE_NAMES[name]
        wanted = str(params.get(parameter, ""))
        if any(existing.lower() == wanted.lower() for existing in _existing_names(backends, kind)):
            raise AwsError(f"{kind} with name {wanted} already exists.", code="EntityAlreadyExists", status=409)
    if name in TRUST_DOCUMENTS:
        document = params.get(TRUST_DOCUMENTS[name])
        if isinstance(document, str):
            policy = parse_trust_policy(document)
            check_principals_exist(backends, policy)
            _check_sandbox_principals_exist(backends.account_id, policy)
    if name in TAGGED_ENTITIES:
        _check_and_align_tags(backends, name, str(params.get(TAGGED_ENTITIES[name], "")), params.get("Tags") or [])
    iam_providers.check_provider_call(backends, name, params)
    if name in INLINE_OWNERS:
        owner, parameter = INLINE_OWNERS[name]
        document = str(params.get("PolicyDocument", ""))
        # Inline policies have no per-document quota, only the per-owner aggregate checked below.
        _identity_policy(document, str(params.get("PolicyName", "policy")), check_size=False)
        documents = _inline_documents(backends, owner, str(params.get(parameter, "")))
        documents[str(params.get("PolicyName", ""))] = document
        iam.check_inline_aggregate(owner, documents.values(), name=str(params.get(parameter, "")))
    if name in MANAGED_DOCUMENTS:
        _identity_policy(str(params.get("PolicyDocument", "")), str(params.get("PolicyName", "policy")))
    if name == "DeleteUser":
        user = backends.iam.users.get(str(params.get("UserName", "")))
        if user is not None and user.mfa_devices:
            # AWS refuses rather than leave an MFA device assigned to nobody.
            raise AwsError(MFA_STILL_ASSIGNED, code="DeleteConflict", status=409)


def _check_policy_deletable(backends: AccountBackends, arn: str) -> None:
    """IAM refuses to delete a managed policy still attached, or one with versions other than the default."""
    policy = backends.iam.managed_policies.get(arn)
    if policy is None:
        return
    if policy.attachment_count:
        raise AwsError(POLICY_ATTACHED, code="DeleteConflict", status=409)
    if len(policy.versions) > 1:
        raise AwsError(POLICY_VERSIONS, code="DeleteConflict", status=409)


def _identity_policy(document: str, name: str, *, check_size: bool = True) -> None:
    try:
        iam.parse_policy(document, name=name, kind=iam.PolicyKind.IDENTITY, check_size=check_size)
    except iam.PolicySyntaxError as error:
        if error.code == "LimitExceeded":
            raise
        raise MalformedPolicyDocument(error.message) from error


def _check_sandbox_principals_exist(account_id: str, policy: iam.Policy) -> None:
    """The same-account rule, for users and roles named in the learner's other accounts.

    # AWS: a trust policy naming a user or role that does not exist is refused ("Invalid principal in policy"),
    whichever account it is in. Accounts outside the learner's sandbox are not known to the sandbox: their
    principals are let through, as nothing can be asked about them.
    """
    named = {
        principal.value.split(":")[4]
        for statement in policy.statements
        for principal in statement.principals
        if principal.kind == "AWS" and principal.value.startswith("arn:aws:iam::") and principal.value.count(":") >= 5
    }
    named.discard(account_id)
    if not named:
        return
    siblings = Account.objects.filter(sandbox__accounts__account_id=account_id, account_id__in=named)
    for other in sorted(siblings.values_list("account_id", flat=True)):
        with account_reader(other) as backends:
            check_principals_exist(backends, policy)


def _entity_tags(backends: AccountBackends, call: str, name: str) -> dict[str, str | None] | None:
    """The role's or user's tags (key -> value), or None when it does not exist (moto answers NoSuchEntity)."""
    if call == "TagRole":
        role = next((role for role in backends.iam.get_roles() if role.name == name), None)
        return None if role is None else {tag["Key"]: tag.get("Value") for tag in role.tags}
    user = backends.iam.users.get(name)
    return None if user is None else dict(backends.iam.tagger.tags.get(user.arn, {}))


def _check_and_align_tags(backends: AccountBackends, call: str, name: str, tags: list[dict[str, str]]) -> None:
    """Refuse a TagRole / TagUser that would leave more than 50 tags; then give a key already there in another case
    the request's spelling, so that moto (which compares keys with case) replaces it instead of adding a second one.

    This changes moto's state before moto runs the call; if moto then refuses it, the writer drops the change.
    """
    keys = [str(tag.get("Key", "")) for tag in tags]
    if len({key.lower() for key in keys}) < len(keys):
        raise AwsError(DUPLICATE_TAG_KEYS, code="InvalidInput", status=400)
    existing = _entity_tags(backends, call, name)
    if existing is None:
        return
    if len({key.lower() for key in [*existing, *keys]}) > TAGS_PER_ENTITY:
        raise LimitExceeded(TAG_QUOTA)
    renamed = {old: new for new in keys for old in existing if old != new and old.lower() == new.lower()}
    if not renamed:
        return
    if call == "TagRole":
        role = next(role for role in backends.iam.get_roles() if role.name == name)
        role.tags = [{**tag, "Key": renamed.get(tag["Key"], tag["Key"])} for tag in role.tags]
    else:
        stored = backends.iam.tagger.tags[backends.iam.users[name].arn]
        for old, new in renamed.items():
            stored[new] = stored.pop(old)
