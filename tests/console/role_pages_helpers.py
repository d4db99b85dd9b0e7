"""Shared helpers for the Roles list and role page tests: roles made through the same IAM calls the console makes."""
from __future__ import annotations

import html
import json
import re
import urllib.parse

from django.urls import reverse

from sandbox import provisioning
from sandbox.api import iam_call
from sandbox.identity import Identity
from sandbox.sts.assume_role import assume_role

HTMX = {"HX-Request": "true"}
EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
LIST_ROLES = json.dumps({"Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]})


def identity(user) -> Identity:
    return provisioning.learner_identity(user=user)


def account_trust(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"}]})


def make_role(user, name: str, trust: str | None = None) -> str:
    """A role in the learner's home account (trusting that account unless `trust` is given); returns its ARN."""
    who = identity(user)
    document = trust or account_trust(who.account_id)
    return str(iam_call(who, "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": document})["Role"]["Arn"])


def get_role(user, name: str) -> dict:
    role = iam_call(identity(user), "GetRole", {"RoleName": name})["Role"]
    role["AssumeRolePolicyDocument"] = urllib.parse.unquote(role["AssumeRolePolicyDocument"])
    return role


def role_names(user) -> set[str]:
    return {role["RoleName"] for role in iam_call(identity(user), "ListRoles")["Roles"]}


def attached(user, name: str) -> list[str]:
    answer = iam_call(identity(user), "ListAttachedRolePolicies", {"RoleName": name})
    return [policy["PolicyArn"] for policy in answer["AttachedPolicies"]]


def inline(user, name: str) -> list[str]:
    return list(iam_call(identity(user), "ListRolePolicies", {"RoleName": name})["PolicyNames"])


def role_session(user, name: str, session_name: str = "worker") -> Identity:
    """A session of `name` (the role must trust the learner's account)."""
    who = identity(user)
    arn = f"arn:aws:iam::{who.account_id}:role/{name}"
    return assume_role(who, {"RoleArn": arn, "RoleSessionName": session_name}).identity


def detail(client, name: str, tab: str | None = None, headers: dict | None = None):
    query = {"tab": tab} if tab else {}
    return client.get(reverse("console:role-detail", args=[name]), query, headers=headers or {})


def text(response) -> str:
    return response.content.decode()


def visible_panels(page: str) -> list[str]:
    """The ids of the tab panels that are not hidden."""
    return re.findall(r'<div id="(panel-[a-z-]+)" class="panel rp-tab-panel" role="tabpanel"[^>]*tabindex="0">', page)


def switch_to_powerless_role(client, user, name: str = "PowerlessRole") -> str:
    """Switch the console to a role of the home account with no permissions policy at all."""
    make_role(user, name)
    account_id = identity(user).account_id
    response = client.post(reverse("console:switch-role"), {"account": account_id, "role_name": name})
    assert response.status_code == 302, response.content.decode()[:500]
    return name


def unescape(page: str) -> str:
    return html.unescape(page)
