"""Create a learner's sandbox on first use: a home account with a unique id and an administrator IAM user."""
from __future__ import annotations

import json
import re
import secrets
import string

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from sandbox.identity import Identity, iam_user_arn
from sandbox.models import Account, Sandbox
from sandbox.moto_store import account_reader, account_writer

ADMIN_POLICY_NAME = "AdministratorAccess"
ADMIN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
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


def sandbox_provision(*, user: User) -> Sandbox:
    """The user's sandbox, created with its home account and IAM user when missing (safe to call concurrently)."""
    existing = Sandbox.objects.filter(owner=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            sandbox = Sandbox.objects.create(owner=user, home_user_name=iam_user_name_for(user.get_username()))
            account = Account.objects.create(sandbox=sandbox, account_id=new_account_id(), is_home=True, alias="")
            with account_writer(account.account_id) as backends:
                user = backends.iam.create_user(region_name="us-east-1", user_name=sandbox.home_user_name, path="/")
                user.id = unique_id("AIDA")  # moto's user ids are lowercase noise; AWS's look like AIDA...
                backends.iam.put_user_policy(sandbox.home_user_name, ADMIN_POLICY_NAME, ADMIN_POLICY)
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
