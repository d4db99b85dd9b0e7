"""Every JSON scenario under `cases/`: one test per case, named by the rule it states."""

from __future__ import annotations

from collections import Counter

import pytest

from iam import Decision, evaluate
from tests.iam.scenarios import build_inputs, build_request, case_files, load_cases

CASES = [
    pytest.param(case, id=case["name"], marks=[pytest.mark.skip(reason=case["skip"])] if "skip" in case else [])
    for _, case in load_cases()
]


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


class CaseFileTests:
    def test_every_case_states_decision_reasons_and_blocked_by(self):
        for path, case in load_cases():
            assert {"decision", "reasons", "blocked_by"} <= case["expected"].keys(), f"{path.name}: {case['name']}"

    def test_case_names_are_unique(self):
        counts = Counter(case["name"] for _, case in load_cases())
        assert [name for name, count in counts.items() if count > 1] == []

    def test_each_topic_file_has_cases(self):
        assert len(case_files()) >= 10
        for path in case_files():
            assert any(found == path for found, _ in load_cases()), path.name
