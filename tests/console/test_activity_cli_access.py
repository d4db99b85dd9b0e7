"""CLI access: endpoint, key id (never the secret), `aws configure` lines and the `~/.aws/config` role profiles."""
from __future__ import annotations

import configparser
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from django.urls import reverse

from sandbox import mfa, provisioning
from sandbox.api import iam_call
from sandbox.learners import learner_summary
from sandbox.sts.switch_role import switch_role
from tests.console.activity_helpers import home_role, trust

URL = "console:cli-access"
STEP = 30
NOW = STEP * 56_666_667 + 7


def _page(client, **headers) -> str:
    response = client.get(reverse(URL), **headers)
    assert response.status_code == 200
    return response.content.decode()


def _config(page: str) -> configparser.ConfigParser:
    text = html.unescape(re.search(r'data-testid="cli-config"[^>]*>(.*?)</pre>', page, re.S).group(1))
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return parser


def _accounts(user) -> dict[str, str]:
    sandbox = provisioning.sandbox_provision(user=user)
    return {account.alias: account.account_id for account in sandbox.accounts.all()}


@pytest.mark.django_db
class CliAccessPageTests:
    def test_endpoint_and_access_key_id_but_never_the_secret(self, student_client, student):
        page = _page(student_client)
        summary = learner_summary(sandbox=provisioning.sandbox_provision(user=student))
        assert "http://testserver/aws" in page
        assert summary.access_key_id in page
        assert summary.secret_access_key not in page
        assert "only once" in page

    def test_aws_configure_and_endpoint_lines(self, student_client, student):
        page = html.unescape(_page(student_client))
        key = learner_summary(sandbox=provisioning.sandbox_provision(user=student)).access_key_id
        assert f"aws configure set aws_access_key_id {key}" in page
        assert "aws configure set aws_secret_access_key YOUR_SECRET_ACCESS_KEY" in page
        assert "export AWS_ENDPOINT_URL=http://testserver/aws" in page

    def test_member_accounts_get_organization_access_role_profiles(self, student_client, student):
        config = _config(_page(student_client))
        accounts = _accounts(student)
        for alias in ("dev", "prod"):
            profile = config[f"profile {alias}"]
            assert profile["role_arn"] == f"arn:aws:iam::{accounts[alias]}:role/OrganizationAccountAccessRole"
            assert profile["source_profile"] == "default"
            assert profile["endpoint_url"] == "http://testserver/aws"
            assert "external_id" not in profile
            assert "mfa_serial" not in profile

    def test_default_profile_has_region_and_endpoint(self, student_client):
        config = _config(_page(student_client))
        assert config["default"]["region"] == "us-east-1"
        assert config["default"]["endpoint_url"] == "http://testserver/aws"

    def test_a_role_requiring_an_external_id_gets_it(self, student_client, student):
        home_role(student, "Partner", None, {"StringEquals": {"sts:ExternalId": "partner-42"}})
        profile = _config(_page(student_client))["profile Partner"]
        assert profile["external_id"] == "partner-42"
        assert "mfa_serial" not in profile

    def test_a_role_requiring_mfa_gets_the_users_device_placeholder_and_a_warning(self, student_client, student):
        home_role(student, "Guarded", None, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        page = _page(student_client)
        home = _accounts(student)["management"]
        assert _config(page)["profile Guarded"]["mfa_serial"] == f"arn:aws:iam::{home}:mfa/student1"
        assert "Assign a virtual MFA device to student1 first" in page

    def test_a_role_requiring_mfa_gets_the_enabled_devices_serial(self, student_client, student, monkeypatch):
        monkeypatch.setattr(mfa, "totp_now", lambda: NOW)
        identity = provisioning.learner_identity(user=student)
        created = iam_call(identity, "CreateVirtualMFADevice", {"VirtualMFADeviceName": "phone"})["VirtualMFADevice"]
        seed = created["Base32StringSeed"].decode("ascii")
        totp = pyotp.TOTP(seed)
        iam_call(identity, "EnableMFADevice", {
            "UserName": "student1", "SerialNumber": created["SerialNumber"],
            "AuthenticationCode1": totp.at(NOW - STEP), "AuthenticationCode2": totp.at(NOW)})
        home_role(student, "Guarded", None, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        page = _page(student_client)
        assert _config(page)["profile Guarded"]["mfa_serial"] == created["SerialNumber"]
        assert "Assign a virtual MFA device" not in page

    def test_external_id_and_mfa_together(self, student_client, student):
        home_role(student, "Both", None, {"StringEquals": {"sts:ExternalId": "x-1"},
                                          "Bool": {"aws:MultiFactorAuthPresent": "true"}})
        profile = _config(_page(student_client))["profile Both"]
        assert profile["external_id"] == "x-1"
        assert profile["mfa_serial"].endswith(":mfa/student1")

    def test_a_role_only_a_service_may_assume_gets_no_profile(self, student_client, student):
        identity = provisioning.learner_identity(user=student)
        iam_call(identity, "CreateRole", {"RoleName": "Ec2App", "AssumeRolePolicyDocument": (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
            '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')})
        assert "profile Ec2App" not in _config(_page(student_client))

    def test_another_learners_accounts_are_not_listed(self, student_client, student, other_student):
        theirs = _accounts(other_student)
        page = _page(student_client)
        assert theirs["dev"] not in page
        assert theirs["management"] not in page

    def test_roles_of_the_account_the_console_is_in(self, student_client, student):
        accounts = _accounts(student)
        learner = provisioning.learner_identity(user=student)
        dev_admin = switch_role(user_identity=learner, account="dev",
                                role_name=provisioning.ORGANIZATION_ACCESS_ROLE).identity
        iam_call(dev_admin, "CreateRole", {"RoleName": "Deployer",
                                           "AssumeRolePolicyDocument": trust(accounts["management"])})
        assert "profile dev-Deployer" not in _config(_page(student_client))
        student_client.post(reverse("console:switch-role"), {"account": "dev",
                                                              "role_name": provisioning.ORGANIZATION_ACCESS_ROLE})
        config = _config(_page(student_client))
        assert config["profile dev-Deployer"]["role_arn"] == f"arn:aws:iam::{accounts['dev']}:role/Deployer"
        assert "profile dev" in config

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        assert client.get(reverse(URL)).status_code == 302


def _run_cli(config: Path, credentials: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(config.parent), "AWS_CONFIG_FILE": str(config),
           "AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_EC2_METADATA_DISABLED": "true"}
    aws = Path(sys.executable).with_name("aws")
    return subprocess.run([str(aws), "--output", "json", *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.django_db(transaction=True)
class GeneratedConfigWithTheRealCliTests:
    """The generated file, unchanged, used by the real AWS CLI against the live endpoint."""

    def test_profiles_assume_their_roles(self, live_server, client, student, tmp_path):
        if not Path(sys.executable).with_name("aws").exists():
            pytest.skip("the AWS CLI is not installed in the virtualenv")
        client.force_login(student)
        home_role(student, "Partner", None, {"StringEquals": {"sts:ExternalId": "partner-42"}})
        host = live_server.url.split("://", 1)[1]
        page = client.get(reverse(URL), HTTP_HOST=host).content.decode()
        config_text = html.unescape(re.search(r'data-testid="cli-config"[^>]*>(.*?)</pre>', page, re.S).group(1))
        summary = learner_summary(sandbox=provisioning.sandbox_provision(user=student))
        (tmp_path / "config").write_text(config_text)
        (tmp_path / "credentials").write_text(
            f"[default]\naws_access_key_id = {summary.access_key_id}\n"
            f"aws_secret_access_key = {summary.secret_access_key}\n")
        accounts = _accounts(student)
        for profile, account, role in (("dev", accounts["dev"], "OrganizationAccountAccessRole"),
                                       ("Partner", accounts["management"], "Partner")):
            result = _run_cli(tmp_path / "config", tmp_path / "credentials", "sts", "get-caller-identity",
                              "--profile", profile)
            assert result.returncode == 0, result.stderr
            assert f"arn:aws:sts::{account}:assumed-role/{role}/" in result.stdout
