"""Fixtures for the endpoint tests: learners and real boto3 clients pointed at the live server's `/aws`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from sandbox.learners import learner_create

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


def aws_client(live_server, service, key_id, secret, **config):
    """A boto3 client for `service` signed with the given key, talking to the test server's endpoint."""
    return boto3.client(
        service, endpoint_url=f"{live_server.url}/aws", region_name="us-east-1",
        aws_access_key_id=key_id, aws_secret_access_key=secret, config=NO_RETRIES.merge(Config(**config)),
    )


def run_aws_cli(live_server, learner, *args: str) -> subprocess.CompletedProcess[str]:
    """The real AWS CLI, unchanged, signed with the learner's key and pointed at the endpoint with --endpoint-url."""
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ACCESS_KEY_ID": learner.access_key_id, "AWS_SECRET_ACCESS_KEY": learner.secret_access_key,
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
    }
    aws = Path(sys.executable).with_name("aws")
    return subprocess.run(
        [str(aws), "--endpoint-url", f"{live_server.url}/aws", "--output", "json", *args],
        env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def carol():
    return learner_create(username="carol")
