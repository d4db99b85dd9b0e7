"""Fixtures for the endpoint tests: learners and real boto3 clients pointed at the live server's `/aws`."""
from __future__ import annotations

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


@pytest.fixture
def carol():
    return learner_create(username="carol")
