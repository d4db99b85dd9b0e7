"""Service control policies: FullAWSAccess by default, learner-written SCPs, and the levels the engine evaluates."""
from __future__ import annotations

import json
import secrets
import string
from functools import lru_cache

from django.db import transaction

import iam
from sandbox.errors import OrganizationsError
from sandbox.models import Account, Organization, OrganizationPolicy, PolicyAttachment

SCP_TYPE = "SERVICE_CONTROL_POLICY"
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
SCP_SIZE_LIMIT = 5120  # AWS quota: maximum size of a service control policy document (characters)
POLICY_NOT_FOUND = "We can't find a policy with the PolicyId that you specified."
TARGET_NOT_FOUND = "We can't find a root, OU, account, or email that you specified."
DUPLICATE_ATTACHMENT = "The selected policy is already attached to the specified target."
NOT_ATTACHED = "The policy isn't attached to the specified target in the specified root."
IN_USE = "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts."
LAST_POLICY = (
    "You cannot remove the last service control policy from a target: every root, OU and account must have "
    "at least one attached"
)
AWS_MANAGED_READ_ONLY = "You can't modify or delete an AWS managed policy."
DUPLICATE_NAME = "A policy with the same name already exists."
TOO_LARGE = "The provided policy document does not meet the requirements of the specified policy type: too large"


def scp_setup(organization: Organization, account_ids: list[str]) -> None:
    """What AWS does when SCPs are enabled: FullAWSAccess attached to the root and to every account."""
    policy = OrganizationPolicy.objects.create(
        organization=organization, policy_id=FULL_AWS_ACCESS_ID, name="FullAWSAccess",
        description="Allows access to every operation", content=FULL_AWS_ACCESS, aws_managed=True,
    )
    targets = [organization.root_id, *account_ids]
    PolicyAttachment.objects.bulk_create([PolicyAttachment(policy=policy, target_id=target) for target in targets])


@lru_cache(maxsize=2048)
def _parsed(content: str, name: str) -> iam.Policy:
    return iam.parse_policy(content, name=name, kind=iam.PolicyKind.SCP, check_size=False)


@lru_cache(maxsize=8192)
def _account_kind(account_id: str) -> str:
    """An account's kind never changes, so every process remembers it."""
    return str(Account.objects.values_list("kind", flat=True).get(account_id=account_id))


def scp_levels(account_id: str) -> tuple[tuple[iam.Policy, ...], ...]:
    """The SCPs that limit principals of `account_id`, root level first; none for the management account."""
    if _account_kind(account_id) != Account.Kind.MEMBER:
        # AWS: SCPs never affect the management account (nor accounts outside the organization).
        return ()
    account = Account.objects.select_related("sandbox__organization").get(account_id=account_id)
    organization = getattr(account.sandbox, "organization", None)
    if organization is None:
        return ()
    if not OrganizationPolicy.objects.filter(organization=organization).exists():
        # A sandbox provisioned before SCPs existed: give it what AWS gives every organization.
        members = organization.sandbox.accounts.exclude(kind=Account.Kind.EXTERNAL)
        scp_setup(organization, list(members.values_list("account_id", flat=True)))
    levels = []
    for target in (organization.root_id, account_id):
        policies = OrganizationPolicy.objects.filter(organization=organization, attachments__target_id=target)
        levels.append(tuple(_parsed(policy.content, policy.name) for policy in policies.order_by("name")))
    return tuple(levels)


def _new_policy_id(organization: Organization) -> str:
    alphabet = string.ascii_lowercase + string.digits
    while True:
        candidate = "p-" + "".join(secrets.choice(alphabet) for _ in range(8))
        if not OrganizationPolicy.objects.filter(organization=organization, policy_id=candidate).exists():
            return candidate


def _checked_content(content: str) -> str:
    try:
        iam.parse_policy(content, name="scp", kind=iam.PolicyKind.SCP, check_size=False)
    except iam.PolicySyntaxError as error:
        raise OrganizationsError(error.message, code="MalformedPolicyDocumentException") from error
    if len(content) > SCP_SIZE_LIMIT:
        raise OrganizationsError(TOO_LARGE, code="ConstraintViolationException")
    return content


def policy_get(organization: Organization, policy_id: str) -> OrganizationPolicy:
    policy = OrganizationPolicy.objects.filter(organization=organization, policy_id=policy_id).first()
    if policy is None:
        raise OrganizationsError(POLICY_NOT_FOUND, code="PolicyNotFoundException")
    return policy


def policy_create(organization: Organization, *, name: str, description: str, content: str) -> OrganizationPolicy:
    if OrganizationPolicy.objects.filter(organization=organization, name=name).exists():
        raise OrganizationsError(DUPLICATE_NAME, code="DuplicatePolicyException")
    return OrganizationPolicy.objects.create(
        organization=organization, policy_id=_new_policy_id(organization), name=name, description=description,
        content=_checked_content(content),
    )


def policy_update(
    organization: Organization, policy_id: str, *, name: str | None, description: str | None, content: str | None
) -> OrganizationPolicy:
    policy = policy_get(organization, policy_id)
    if policy.aws_managed:
        raise OrganizationsError(AWS_MANAGED_READ_ONLY, code="PolicyChangesInProgressException")
    policy.name = name or policy.name
    policy.description = policy.description if description is None else description
    policy.content = policy.content if content is None else _checked_content(content)
    policy.save()
    return policy


def policy_delete(organization: Organization, policy_id: str) -> None:
    policy = policy_get(organization, policy_id)
    if policy.aws_managed:
        raise OrganizationsError(AWS_MANAGED_READ_ONLY, code="ConstraintViolationException")
    if policy.attachments.exists():
        raise OrganizationsError(IN_USE, code="PolicyInUseException")
    policy.delete()


def _check_target(organization: Organization, target_id: str) -> None:
    members = organization.sandbox.accounts.filter(kind__in=(Account.Kind.MANAGEMENT, Account.Kind.MEMBER))
    if target_id != organization.root_id and not members.filter(account_id=target_id).exists():
        raise OrganizationsError(TARGET_NOT_FOUND, code="TargetNotFoundException")


def policy_attach(organization: Organization, policy_id: str, target_id: str) -> None:
    policy = policy_get(organization, policy_id)
    _check_target(organization, target_id)
    if policy.attachments.filter(target_id=target_id).exists():
        raise OrganizationsError(DUPLICATE_ATTACHMENT, code="DuplicatePolicyAttachmentException")
    PolicyAttachment.objects.create(policy=policy, target_id=target_id)


@transaction.atomic
def policy_detach(organization: Organization, policy_id: str, target_id: str) -> None:
    policy = policy_get(organization, policy_id)
    _check_target(organization, target_id)
    attachment = policy.attachments.select_for_update().filter(target_id=target_id).first()
    if attachment is None:
        raise OrganizationsError(NOT_ATTACHED, code="PolicyNotAttachedException")
    others = PolicyAttachment.objects.filter(policy__organization=organization, target_id=target_id)
    if others.count() == 1:
        raise OrganizationsError(LAST_POLICY, code="ConstraintViolationException")
    attachment.delete()
