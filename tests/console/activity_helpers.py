"""Shared setup for the event history, policy simulator and CLI access tests: limited roles to switch to."""
from __future__ import annotations

import json

from django.urls import reverse

from sandbox import provisioning
from sandbox.api import iam_call

HTMX = {"HX-Request": "true"}
AUDITOR_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadIam", "Effect": "Allow",
         "Action": ["iam:List*", "iam:Get*", "iam:Simulate*", "cloudtrail:LookupEvents"], "Resource": "*"},
        {"Sid": "NoRoleDetails", "Effect": "Deny", "Action": "iam:GetRole", "Resource": "*"},
    ],
}
LIST_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "ListOnly", "Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}],
}


def trust(account_id: str, condition: dict | None = None) -> str:
    statement: dict = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                       "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def home_role(user, name: str, policy: dict | None, condition: dict | None = None) -> str:
    """A role in the learner's home account trusting that account, with `policy` inline (as `<name>Policy`)."""
    identity = provisioning.learner_identity(user=user)
    iam_call(identity, "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": trust(identity.account_id,
                                                                                          condition)})
    if policy is not None:
        iam_call(identity, "PutRolePolicy", {"RoleName": name, "PolicyName": f"{name}Policy",
                                             "PolicyDocument": json.dumps(policy)})
    return name


def switch_to(client, user, role_name: str) -> None:
    account = provisioning.learner_identity(user=user).account_id
    response = client.post(reverse("console:switch-role"), {"account": account, "role_name": role_name,
                                                             "display_name": role_name, "color": "red"})
    assert response.status_code == 302, response.content.decode()[:2000]
