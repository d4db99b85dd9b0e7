"""GradeResult and CheckResult (after PrairieLearn's results.json), stored as JSON on a Grade."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict


class CheckResultJson(TypedDict):
    id: str
    title: dict[str, str]
    points: float
    max_points: float
    passed: bool
    feedback: dict[str, str]
    explanation: dict[str, list[str]]
    hint_penalty: NotRequired[float]  # only when the learner had revealed the check's hint: the points taken off


class GradeResultJson(TypedDict):
    gradable: bool
    score: float
    format_errors: list[str]
    checks: list[CheckResultJson]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check: points earned, feedback (ko/en) and the engine's explanation.

    `hint_penalty` is None unless the learner had revealed the check's hint; then it is the points taken off
    `points` for it (the hint's penalty, at most what the check earned).
    """

    check_id: str
    title: Mapping[str, str]
    points: float
    max_points: float
    passed: bool
    feedback: Mapping[str, str]
    explanation: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hint_penalty: float | None = None

    def as_json(self) -> CheckResultJson:
        data: CheckResultJson = {
            "id": self.check_id,
            "title": dict(self.title),
            "points": self.points,
            "max_points": self.max_points,
            "passed": self.passed,
            "feedback": dict(self.feedback),
            "explanation": {language: list(lines) for language, lines in self.explanation.items()},
        }
        if self.hint_penalty is not None:
            data["hint_penalty"] = self.hint_penalty
        return data


@dataclass(frozen=True, slots=True)
class GradeResult:
    """A whole grade; `score` is earned / possible points, from 0 to 1."""

    gradable: bool
    checks: tuple[CheckResult, ...] = ()
    format_errors: tuple[str, ...] = field(default=())

    @property
    def score(self) -> float:
        possible = sum(check.max_points for check in self.checks)
        return sum(check.points for check in self.checks) / possible if possible else 0.0

    def as_json(self) -> GradeResultJson:
        return {
            "gradable": self.gradable,
            "score": self.score,
            "format_errors": list(self.format_errors),
            "checks": [check.as_json() for check in self.checks],
        }


def not_gradable(message: str) -> GradeResult:
    return GradeResult(gradable=False, format_errors=(message,))


def json_summary(result: Mapping[str, Any]) -> str:
    """`earned/possible` points of a stored GradeResultJson, for tables."""
    checks = result.get("checks", [])
    earned = sum(check["points"] for check in checks)
    possible = sum(check["max_points"] for check in checks)
    return f"{earned:g}/{possible:g}"
