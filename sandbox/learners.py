"""Learners as other tools see them: create one with a sandbox, describe their accounts and credentials."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from sandbox.identity import iam_user_arn
from sandbox.models import AccessKeyOwner, Sandbox
from sandbox.moto_store import account_reader
from sandbox.provisioning import sandbox_provision

REGION = "us-east-1"
ENDPOINT_PATH = "/aws/"


@dataclass(frozen=True, slots=True)
class AccountSummary:
    alias: str
    account_id: str


@dataclass(frozen=True, slots=True)
class LearnerSummary:
    """What `manage.py create_learner --json` prints."""

    username: str
    organization_id: str
    home_account_id: str
    accounts: tuple[AccountSummary, ...]
    iam_user_arn: str
    access_key_id: str
    secret_access_key: str
    region: str = REGION
    endpoint_path: str = ENDPOINT_PATH

    def as_json(self) -> dict[str, object]:
        return {
            "username": self.username,
            "organization_id": self.organization_id,
            "home_account_id": self.home_account_id,
            "accounts": [{"alias": account.alias, "account_id": account.account_id} for account in self.accounts],
            "iam_user_arn": self.iam_user_arn,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "region": self.region,
            "endpoint_path": self.endpoint_path,
        }


def learner_create(*, username: str, password: str | None = None) -> LearnerSummary:
    """Create the platform user (or take the existing one) and their sandbox; a given password is (re)set."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    return learner_summary(sandbox=sandbox_provision(user=user))


def learner_summary(*, sandbox: Sandbox) -> LearnerSummary:
    """The learner's organization, accounts and first access key (its secret read from the account's state)."""
    accounts = tuple(sandbox.accounts.order_by("-is_home", "alias"))
    home = next(account for account in accounts if account.is_home)
    key = AccessKeyOwner.objects.filter(account=home, user_name=sandbox.home_user_name).order_by("created_at").first()
    if key is None:
        raise LookupError(f"the sandbox of {sandbox.owner} has no access key")
    with account_reader(home.account_id) as backends:
        user = backends.iam.get_user(sandbox.home_user_name)
        secret = next(k.secret_access_key for k in user.access_keys if k.access_key_id == key.access_key_id)
        arn = iam_user_arn(home.account_id, user.name, user.path)
    return LearnerSummary(
        username=sandbox.owner.get_username(),
        organization_id=sandbox.organization.org_id,
        home_account_id=home.account_id,
        accounts=tuple(AccountSummary(alias=account.alias, account_id=account.account_id) for account in accounts),
        iam_user_arn=arn,
        access_key_id=key.access_key_id,
        secret_access_key=secret,
    )
