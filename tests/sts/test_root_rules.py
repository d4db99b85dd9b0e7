"""Rules for the root user. The sandbox issues no root credentials (AWS advises against root access keys), so these
rules cannot be reached through the endpoint; they are checked where STS applies them."""
from __future__ import annotations

import pytest

from sandbox.errors import AccessDenied
from sandbox.identity import Identity
from sandbox.learners import learner_create
from sandbox.sts.assume_role import ROOT_CANNOT_ASSUME, assume_role


@pytest.mark.django_db
def test_the_root_user_cannot_assume_a_role():
    """Ref: "Roles may not be assumed by root accounts." (AssumeRole, any trust policy, even one naming the root)."""
    learner = learner_create(username="rooted")
    account = learner.home_account_id
    root = Identity(account_id=account, arn=f"arn:aws:iam::{account}:root", type="Root", name="root",
                    principal_id=account)
    with pytest.raises(AccessDenied) as refused:
        assume_role(root, {"RoleArn": f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                           "RoleSessionName": "root-session"})
    assert refused.value.message == ROOT_CANNOT_ASSUME
    assert refused.value.code == "AccessDenied"
