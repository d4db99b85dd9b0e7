"""Behaviour-based grading of "Create your first role": equivalent policies score alike, open ones do not."""
from __future__ import annotations

import json

import pytest

from labs.grading.checks import grade
from labs.grading.context import GradeContext, RoleView
from labs.services.catalog import CATALOG_DIR, lab_read

ACCOUNT = "210987654321"
DEFINITION = lab_read(CATALOG_DIR / "first-role").definition


def _context(trust: dict | str | None, name: str = "FirstEc2Role") -> GradeContext:
    if trust is None:
        return GradeContext(account_id=ACCOUNT, roles={})
    document = trust if isinstance(trust, str) else json.dumps(trust)
    role = RoleView(name=name, arn=f"arn:aws:iam::{ACCOUNT}:role/{name}", trust_policy=document)
    return GradeContext(account_id=ACCOUNT, roles={name: role})


def _trust(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


EC2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}


def _passed(result):
    return {check.check_id: check.passed for check in result.checks}


class FirstRoleGradingTests:
    def test_the_reference_solution_scores_full_marks(self):
        result = grade(DEFINITION, _context(_trust(EC2)))
        assert result.score == 1.0

    def test_an_equivalent_policy_written_with_lists_scores_the_same(self):
        listed = {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
        assert grade(DEFINITION, _context(_trust(listed))).score == 1.0

    def test_a_missing_role_fails_every_check(self):
        result = grade(DEFINITION, _context(None))
        assert _passed(result) == {"role-exists": False, "ec2-can-assume": False, "only-ec2": False}
        assert result.score == 0.0

    def test_the_role_name_is_case_sensitive(self):
        assert _passed(grade(DEFINITION, _context(_trust(EC2), name="firstec2role")))["role-exists"] is False

    def test_trusting_the_wrong_service_fails_the_ec2_check_with_an_explanation(self):
        lambda_only = {**EC2, "Principal": {"Service": "lambda.amazonaws.com"}}
        result = grade(DEFINITION, _context(_trust(lambda_only)))
        check = next(check for check in result.checks if check.check_id == "ec2-can-assume")
        assert check.passed is False
        assert check.explanation

    def test_a_policy_that_also_trusts_everyone_loses_the_only_ec2_check(self):
        everyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
        result = grade(DEFINITION, _context(_trust(EC2, everyone)))
        assert _passed(result) == {"role-exists": True, "ec2-can-assume": True, "only-ec2": False}
        assert result.score == pytest.approx(0.75)

    def test_a_deny_on_ec2_beats_the_allow(self):
        deny = {**EC2, "Effect": "Deny"}
        assert _passed(grade(DEFINITION, _context(_trust(EC2, deny))))["ec2-can-assume"] is False

    def test_the_grade_serialises_to_json(self):
        stored = grade(DEFINITION, _context(_trust(EC2))).as_json()
        assert json.loads(json.dumps(stored))["score"] == 1.0

    def test_failed_checks_explain_in_english_and_korean(self):
        everyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
        result = grade(DEFINITION, _context(_trust(EC2, everyone)))
        check = next(check for check in result.checks if check.check_id == "only-ec2")
        assert check.explanation["en"] and check.explanation["ko"]
        assert len(check.explanation["en"]) == len(check.explanation["ko"])
        assert any("허용" in line for line in check.explanation["ko"])
