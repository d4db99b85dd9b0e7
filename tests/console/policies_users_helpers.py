"""Shared helpers for the Policies and Users page tests."""
from __future__ import annotations

import json
import re

from django.urls import reverse

from sandbox import provisioning
from sandbox.api import iam_call
from sandbox.identity import Identity

HTMX = {"HX-Request": "true"}
S3_DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
READ_DOC = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
)
BROKEN_DOC = '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {"Effect": "Alow", "Action": "s3:*"'
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def identity_of(user) -> Identity:
    """The learner's IAM user in their home account (provisioned on first use)."""
    return provisioning.learner_identity(user=user)


def policy_arn(user, name: str) -> str:
    return f"arn:aws:iam::{identity_of(user).account_id}:policy/{name}"


def create_policy(user, name: str = "S3Admin", document: str = S3_DOC, description: str = "") -> str:
    params = {"PolicyName": name, "PolicyDocument": document}
    if description:
        params["Description"] = description
    return str(iam_call(identity_of(user), "CreatePolicy", params)["Policy"]["Arn"])


def create_user(user, name: str = "bob") -> None:
    iam_call(identity_of(user), "CreateUser", {"UserName": name})


def page(response) -> str:
    return response.content.decode()


def one_time_token(client, user_name: str) -> str:
    """The token of the "Create access key" form (each rendering makes a new one)."""
    text = page(client.get(reverse("console:user-access-key-create", args=[user_name])))
    match = re.search(r'name="token" value="([^"]+)"', text)
    assert match, "no one-time token in the form"
    return match.group(1)
