"""What one check concludes: passed or not, and why in both languages (from the engine or the check itself)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import iam

Explanation = Mapping[str, tuple[str, ...]]
"""Explanation lines per language (`en`, `ko`)."""

Language = Literal["en", "ko"]
LANGUAGES: tuple[Language, ...] = ("en", "ko")
NO_EXPLANATION: Explanation = {language: () for language in LANGUAGES}


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    passed: bool
    explanation: Explanation = field(default_factory=lambda: NO_EXPLANATION)


def said(en: str, ko: str) -> Explanation:
    return {"en": (en,), "ko": (ko,)}


def joined(*explanations: Explanation) -> Explanation:
    return {language: tuple(line for part in explanations for line in part.get(language, ())) for language in LANGUAGES}


def explained(evaluations: Iterable[iam.Evaluation]) -> Explanation:
    found = tuple(evaluations)
    return {
        language: tuple(line for evaluation in found for line in iam.explain(evaluation, language=language))
        for language in LANGUAGES
    }


def passed() -> CheckOutcome:
    return CheckOutcome(True)


def failed(en: str, ko: str) -> CheckOutcome:
    return CheckOutcome(False, said(en, ko))


def no_role(name: str, account: str) -> CheckOutcome:
    return failed(f"there is no role named `{name}` in account `{account}`",
        f"계정 `{account}`에 `{name}` 역할이 없습니다")
