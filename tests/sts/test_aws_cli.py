"""The real AWS CLI against our STS: `aws sts assume-role`, and a CLI profile that assumes a role by itself.

The CLI's own assume-role credential provider (`role_arn` + `source_profile` in ~/.aws/config) must reach our
endpoint too: `AWS_ENDPOINT_URL` points every client the CLI creates, the provider's STS client included, at it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.learners import learner_create
from tests.sts.conftest import policy, trusts

pytestmark = pytest.mark.django_db(transaction=True)
AWS = Path(sys.executable).with_name("aws")


def run_aws(tmp_path: Path, endpoint: str, *args: str, config: str = "", credentials: str = "",
            **keys: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config").write_text(config)
    (tmp_path / "credentials").write_text(credentials)
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint, **keys,
    }
    return subprocess.run([str(AWS), "--output", "json", *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def learner_with_partner_role(live_server):
    """A role trusting the learner's user only with external ID `partner-42` (ref 3.1)."""
    from tests.sandbox.conftest import aws_client

    learner = learner_create(username="clara")
    iam = aws_client(live_server, "iam", learner.access_key_id, learner.secret_access_key)
    condition = {"StringEquals": {"sts:ExternalId": "partner-42"}}
    iam.create_role(RoleName="PartnerRole", AssumeRolePolicyDocument=policy(
        trusts(learner.iam_user_arn, condition=condition)))
    return learner


def test_assume_role_with_the_right_external_id(tmp_path, live_server, learner_with_partner_role):
    """ref 3.1: the third party passes `--external-id`; the CLI prints the session's credentials."""
    learner = learner_with_partner_role
    role_arn = f"arn:aws:iam::{learner.home_account_id}:role/PartnerRole"
    keys = {"AWS_ACCESS_KEY_ID": learner.access_key_id, "AWS_SECRET_ACCESS_KEY": learner.secret_access_key}
    result = run_aws(tmp_path, f"{live_server.url}/aws", "sts", "assume-role", "--role-arn", role_arn,
                     "--role-session-name", "cli", "--external-id", "partner-42", **keys)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{learner.home_account_id}:assumed-role/PartnerRole/cli"


def test_a_wrong_external_id_is_refused_with_aws_text(tmp_path, live_server, learner_with_partner_role):
    learner = learner_with_partner_role
    role_arn = f"arn:aws:iam::{learner.home_account_id}:role/PartnerRole"
    keys = {"AWS_ACCESS_KEY_ID": learner.access_key_id, "AWS_SECRET_ACCESS_KEY": learner.secret_access_key}
    result = run_aws(tmp_path, f"{live_server.url}/aws", "sts", "assume-role", "--role-arn", role_arn,
                     "--role-session-name", "cli", "--external-id", "guess", **keys)
    assert result.returncode != 0
    assert (f"(AccessDenied) when calling the AssumeRole operation: User: {learner.iam_user_arn} is not authorized "
            f"to perform: sts:AssumeRole on resource: {role_arn}") in result.stderr


def test_a_profile_with_role_arn_assumes_the_role_itself(tmp_path, live_server):
    """The course's CLI recipe: `role_arn` + `source_profile`; the CLI calls AssumeRole, then the command."""
    learner = learner_create(username="cleo")
    dev = next(account for account in learner.accounts if account.alias == "dev")
    config = (
        "[default]\nregion = us-east-1\n\n"
        f"[profile dev-admin]\nrole_arn = arn:aws:iam::{dev.account_id}:role/OrganizationAccountAccessRole\n"
        "source_profile = default\nrole_session_name = cli-dev\n"
    )
    credentials = (f"[default]\naws_access_key_id = {learner.access_key_id}\n"
                   f"aws_secret_access_key = {learner.secret_access_key}\n")
    result = run_aws(tmp_path, f"{live_server.url}/aws", "--profile", "dev-admin", "sts", "get-caller-identity",
                     config=config, credentials=credentials)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"] == (
        f"arn:aws:sts::{dev.account_id}:assumed-role/OrganizationAccountAccessRole/cli-dev")
