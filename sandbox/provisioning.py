"""Create a learner's sandbox on first use: a home account with a unique id and an administrator IAM user."""
from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from sandbox import managed_policies
from sandbox.identity import Identity, iam_user_arn
from sandbox.models import AccessKeyOwner, Account, Organization, Sandbox
from sandbox.moto_store import account_reader, account_writer, mark_start_state
from sandbox.scps import scp_setup

ADMINISTRATOR_ACCESS_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ORGANIZATION_ACCESS_ROLE = "OrganizationAccountAccessRole"
MEMBER_ALIASES = ("dev", "prod")
# Account ids AWS documentation and moto use as examples; a learner never gets one of these.
RESERVED_ACCOUNT_IDS = frozenset({"123456789012", "111122223333", "444455556666", "000000000000"})
_IAM_NAME_UNSAFE = re.compile(r"[^\w+=,.@-]", re.ASCII)


def iam_user_name_for(username: str) -> str:
    """The learner's IAM user name: their sign-in name, restricted to IAM's characters and 64 characters."""
    return (_IAM_NAME_UNSAFE.sub("-", username) or "learner")[:64]


def unique_id(prefix: str) -> str:
    """An IAM unique id as AWS shapes it: a 4-letter type prefix (AIDA user, AROA role...) and 17 characters."""
    return prefix + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(17))


def new_account_id() -> str:
    """A random 12-digit account id not used anywhere in this installation."""
    for _ in range(20):
        candidate = f"{secrets.randbelow(10**12):012d}"
        if candidate not in RESERVED_ACCOUNT_IDS and not Account.objects.filter(account_id=candidate).exists():
            return candidate
    raise RuntimeError("could not draw an unused account id")  # 20 collisions in 10^12: the database is broken


def _random_id(prefix: str, length: int, exists: Callable[[str], bool]) -> str:
    alphabet = string.ascii_lowercase + string.digits
    for _ in range(20):
        candidate = prefix + "".join(secrets.choice(alphabet) for _ in range(length))
        if not exists(candidate):
            return candidate
    raise RuntimeError(f"could not draw an unused {prefix} id")


def _new_organization(sandbox: Sandbox) -> Organization:
    """An organization with AWS's id shapes: `o-` and 10 characters, root `r-` and 4."""
    org_id = _random_id("o-", 10, lambda value: Organization.objects.filter(org_id=value).exists())
    root_id = _random_id("r-", 4, lambda value: Organization.objects.filter(root_id=value).exists())
    return Organization.objects.create(sandbox=sandbox, org_id=org_id, root_id=root_id)


def _new_account(sandbox: Sandbox, organization: Organization, *, alias: str, kind: str) -> Account:
    return Account.objects.create(
        sandbox=sandbox,
        account_id=new_account_id(),
        alias=alias,
        kind=kind,
        is_home=kind == Account.Kind.MANAGEMENT,
        email=f"{alias}@{organization.org_id}.sandbox.example",
    )


def _provision_management(account: Account, user_name: str) -> None:
    """The learner's administrator: an IAM user with AdministratorAccess and one access key."""
    with account_writer(account.account_id) as backends:
        user = backends.iam.create_user(region_name="us-east-1", user_name=user_name, path="/")
        user.id = unique_id("AIDA")  # moto's user ids are lowercase noise; AWS's look like AIDA...
        managed_policies.ensure_available(backends.iam, ADMINISTRATOR_ACCESS_ARN)
        backends.iam.attach_user_policy(ADMINISTRATOR_ACCESS_ARN, user_name)
        key = backends.iam.create_access_key(user_name)
    AccessKeyOwner.objects.create(access_key_id=key.access_key_id, account=account, user_name=user_name)


def _provision_member(account: Account, management_account_id: str) -> None:
    """What AWS Organizations creates in a new member account: OrganizationAccountAccessRole."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{management_account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    with account_writer(account.account_id) as backends:
        backends.iam.create_role(
            role_name=ORGANIZATION_ACCESS_ROLE,
            assume_role_policy_document=json.dumps(trust),
            path="/",
            permissions_boundary=None,
            description="",
            tags=[],
            max_session_duration="3600",
        )
        managed_policies.ensure_available(backends.iam, ADMINISTRATOR_ACCESS_ARN)
        backends.iam.attach_role_policy(ADMINISTRATOR_ACCESS_ARN, ORGANIZATION_ACCESS_ROLE)


def sandbox_provision(*, user: User) -> Sandbox:
    """The user's sandbox, created when missing (safe to call concurrently).

    An organization whose management account is the learner's home (their administrator IAM user with an
    access key) and member accounts `dev` and `prod`, each with OrganizationAccountAccessRole. Every account's
    state right after provisioning is recorded as its start state (what a reset restores).
    """
    existing = Sandbox.objects.filter(owner=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            sandbox = Sandbox.objects.create(owner=user, home_user_name=iam_user_name_for(user.get_username()))
            organization = _new_organization(sandbox)
            management = _new_account(sandbox, organization, alias="management", kind=Account.Kind.MANAGEMENT)
            _provision_management(management, sandbox.home_user_name)
            for alias in MEMBER_ALIASES:
                member = _new_account(sandbox, organization, alias=alias, kind=Account.Kind.MEMBER)
                _provision_member(member, management.account_id)
            scp_setup(organization, list(sandbox.accounts.values_list("account_id", flat=True)))
            for account in sandbox.accounts.all():
                mark_start_state(account.account_id)
            return sandbox
    except IntegrityError:
        # Another request provisioned the same user first: theirs wins.
        return Sandbox.objects.get(owner=user)


def home_account(sandbox: Sandbox) -> Account:
    return sandbox.accounts.get(is_home=True)


def home_identity(sandbox: Sandbox) -> Identity:
    """The learner's console identity: their IAM user in the home account."""
    account = home_account(sandbox)
    with account_reader(account.account_id) as backends:
        user = backends.iam.get_user(sandbox.home_user_name)
        return Identity(
            account_id=account.account_id,
            arn=iam_user_arn(account.account_id, user.name, user.path),
            type="IAMUser",
            name=user.name,
            principal_id=user.id,
        )


def learner_identity(*, user: User) -> Identity:
    """The console identity of a signed-in learner, provisioning their sandbox on first use."""
    return home_identity(sandbox_provision(user=user))


def account_add_external(*, sandbox: Sandbox, alias: str) -> Account:
    """An account outside the learner's organization that a lab controls (a partner, a vendor, an attacker).

    It has an administrator IAM user with an access key (for the lab's own setup), is not limited by the
    organization's SCPs and is not listed by Organizations. Its start state is recorded, so resets keep it.
    """
    with transaction.atomic():
        account = Account.objects.create(
            sandbox=sandbox, account_id=new_account_id(), alias=alias, kind=Account.Kind.EXTERNAL,
            email=f"{alias}@external.sandbox.example",
        )
        _provision_management(account, f"{alias}-admin")
        mark_start_state(account.account_id)
    return account
