"""Provisioning a learner's sandbox on first use."""
from __future__ import annotations

import re

import pytest

from sandbox import provisioning
from sandbox.models import Account, Sandbox


@pytest.mark.django_db
class ProvisioningTests:
    def test_first_use_creates_a_home_account_with_a_12_digit_id(self, student):
        identity = provisioning.learner_identity(user=student)
        assert re.fullmatch(r"\d{12}", identity.account_id)
        assert Account.objects.get(account_id=identity.account_id).is_home

    def test_the_identity_is_the_learners_iam_user(self, student):
        identity = provisioning.learner_identity(user=student)
        assert identity.arn == f"arn:aws:iam::{identity.account_id}:user/student1"
        assert identity.type == "IAMUser"

    def test_provisioning_twice_keeps_one_sandbox(self, student):
        first = provisioning.learner_identity(user=student)
        second = provisioning.learner_identity(user=student)
        assert first.account_id == second.account_id
        assert Sandbox.objects.filter(owner=student).count() == 1

    def test_learners_get_different_accounts(self, student, other_student):
        mine = provisioning.learner_identity(user=student)
        theirs = provisioning.learner_identity(user=other_student)
        assert mine.account_id != theirs.account_id

    def test_reserved_example_account_ids_are_never_drawn(self, monkeypatch, db):
        draws = iter([123456789012, 42])
        monkeypatch.setattr(provisioning.secrets, "randbelow", lambda _: next(draws))
        assert provisioning.new_account_id() == "000000000042"

    @pytest.mark.parametrize(
        ("username", "iam_name"),
        [
            ("alice", "alice"),
            ("bob.smith@example.com", "bob.smith@example.com"),
            ("김철수", "---"),
            ("a" * 80, "a" * 64),
        ],
    )
    def test_iam_user_names_keep_to_iam_characters(self, username, iam_name):
        assert provisioning.iam_user_name_for(username) == iam_name


@pytest.mark.django_db
def test_the_learners_user_id_looks_like_an_aws_user_id(student):
    identity = provisioning.learner_identity(user=student)
    assert re.fullmatch(r"AIDA[A-Z0-9]{17}", identity.principal_id)
