"""A restart loses nothing: gunicorn with two workers (as `make run` starts it) serves boto3, is stopped, and a fresh
gunicorn (new processes, empty moto) answers with everything the learner made: roles, policies, tags, users, access
keys, a role session's credentials and the event history."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from sandbox.learners import learner_create
from tests.conftest import ROOT, _database_url, _free_port

pytestmark = pytest.mark.integration

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
READ_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


class Server:
    """`gunicorn config.wsgi` on a free port, on the test database."""

    def __init__(self, redis_url: str, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": redis_url}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/signin/", timeout=1)  # noqa: S310 - our own test server
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.1)

    def client(self, service: str, key: str, secret: str, token: str | None = None):
        return boto3.client(service, endpoint_url=f"{self.url}/aws", region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                            config=Config(retries={"max_attempts": 1}))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def servers(transactional_db, redis_url, tmp_path) -> Iterator[Callable[[], Server]]:
    started: list[Server] = []

    def start() -> Server:
        server = Server(redis_url, tmp_path / "gunicorn.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_a_restart_of_the_web_server_loses_nothing(servers):
    learner = learner_create(username="restarted")
    first = servers()
    iam = first.client("iam", learner.access_key_id, learner.secret_access_key)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "team", "Value": "blue"}])
    iam.put_role_policy(RoleName="app", PolicyName="read", PolicyDocument=READ_S3)
    iam.create_user(UserName="deployer")
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    iam.attach_user_policy(UserName="deployer", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    sts = first.client("sts", learner.access_key_id, learner.secret_access_key)
    dev = next(account["account_id"] for account in learner.as_json()["accounts"] if account["alias"] == "dev")
    session = sts.assume_role(RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole",
                              RoleSessionName="before-restart")["Credentials"]
    first.stop()

    second = servers()
    iam = second.client("iam", learner.access_key_id, learner.secret_access_key)
    role = iam.get_role(RoleName="app")["Role"]
    assert role["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert json.loads(json.dumps(iam.get_role_policy(RoleName="app", PolicyName="read")["PolicyDocument"])) == \
        json.loads(READ_S3)
    deployer = second.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert deployer.get_user()["User"]["UserName"] == "deployer"  # the new key still signs, its policy still reads
    in_dev = second.client("sts", session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
    assert in_dev.get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{dev}:assumed-role/OrganizationAccountAccessRole/before-restart"
    trail = second.client("cloudtrail", learner.access_key_id, learner.secret_access_key)
    names = {event["EventName"] for event in trail.lookup_events(MaxResults=50)["Events"]}
    assert {"CreateRole", "PutRolePolicy", "CreateUser", "CreateAccessKey", "AssumeRole"} <= names
