"""Every JSON scenario under `cases/`: one test per case, named by the rule it states."""

from __future__ import annotations

from collections import Counter

import pytest

from iam import Decision, evaluate
from tests.iam.scenarios import CASES_DIR, build_inputs, build_request, case_files, load_cases, load_file

CASES = [
    pytest.param(case, id=case["name"], marks=[pytest.mark.skip(reason=case["skip"])] if "skip" in case else [])
    for _, case in load_cases()
]
CASE_KEYS = {"name", "aws_doc", "request", "policies", "expected", "note", "skip"}
AWS_DOCS = ("https://docs.aws.amazon.com/",)
MINIMUM_CASES = 300


@pytest.mark.parametrize("case", CASES)
def test_scenario(case):
    evaluation = evaluate(build_request(case["request"]), build_inputs(case["policies"]))
    expected = case["expected"]
    assert (evaluation.decision, [str(ref) for ref in evaluation.reasons], list(evaluation.blocked_by)) == (
        Decision(expected["decision"]),
        expected["reasons"],
        expected["blocked_by"],
    )
    assert [issue.code for issue in evaluation.issues] == expected.get("issues", [])
    assert evaluation.rule == expected.get("rule")


def _where(path, case):
    return f"{path.relative_to(CASES_DIR)}: {case.get('name')}"


class CaseFileTests:
    def test_every_case_states_decision_reasons_and_blocked_by(self):
        for path, case in load_cases():
            assert {"decision", "reasons", "blocked_by"} <= case["expected"].keys(), _where(path, case)

    def test_only_implicit_denies_may_have_no_reasons(self):
        for path, case in load_cases():
            expected = case["expected"]
            assert expected["reasons"] or expected["decision"] == "implicit_deny", _where(path, case)

    def test_an_implicit_deny_names_what_blocked_it(self):
        for path, case in load_cases():
            expected = case["expected"]
            if expected["decision"] == "implicit_deny":
                assert expected["blocked_by"] or expected.get("rule"), _where(path, case)

    def test_every_case_links_the_aws_page_of_its_rule(self):
        for path, case in load_cases():
            assert str(case.get("aws_doc", "")).startswith(AWS_DOCS), _where(path, case)

    def test_cases_have_only_known_fields(self):
        for path, case in load_cases():
            assert set(case) <= CASE_KEYS, _where(path, case)
            assert case.get("note", "a note") != "", _where(path, case)

    def test_case_names_are_sentences_that_state_the_rule(self):
        for path, case in load_cases():
            name = case["name"]
            assert len(name.split()) >= 5 and not name.endswith("."), _where(path, case)

    def test_case_names_are_unique(self):
        counts = Counter(case["name"] for _, case in load_cases())
        assert [name for name, count in counts.items() if count > 1] == []

    def test_each_topic_file_names_its_topic_and_has_cases(self):
        assert len(case_files()) >= 10
        for path in case_files():
            data = load_file(path)
            assert data.get("topic") and data["cases"], path.name

    def test_there_are_enough_cases(self):
        assert len(CASES) >= MINIMUM_CASES
