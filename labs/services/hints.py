"""Check hints: a learner reveals a check's hint (once; it stays revealed), and every grade made after that takes
the hint's penalty off that check (`labs.grading.checks.grade`, from `GradeContext.hints_revealed`).

Callers resolve the lab through `labs.selectors.labs_visible` (or the student's assignment) first, as for starting
a lab: a lab the learner cannot open is a 404 before these run.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from labs.models import HintReveal, Lab
from sandbox.errors import ApplicationError

UNKNOWN_CHECK = _("this lab has no such check")
NO_HINT = _("this check has no hint")


class HintRefused(ApplicationError):
    """A hint that cannot be revealed (an unknown check, or a check without a hint)."""


@dataclass(frozen=True, slots=True)
class HintView:
    """A check's hint on the lab page: its cost, and its text (in the learner's language) once revealed."""

    check_id: str
    title: str
    penalty: float
    penalty_count: int  # picks the plural form of "costs N points" (0.5 points is plural in English)
    revealed: bool
    text: str  # "" until revealed


def check_hint(definition: Mapping[str, Any], check_id: str) -> Mapping[str, Any]:
    """The hint of a check of the lab definition; HintRefused when there is no such check or it has no hint."""
    check = next((check for check in definition.get("checks", []) if check["id"] == check_id), None)
    if check is None:
        raise HintRefused(str(UNKNOWN_CHECK))
    if not check.get("hint"):
        raise HintRefused(str(NO_HINT))
    hint: Mapping[str, Any] = check["hint"]
    return hint


def hint_reveal(*, student: User, lab: Lab, check_id: str) -> HintReveal:
    """Reveal a check's hint to the learner (idempotent: revealing it again keeps the first reveal)."""
    check_hint(lab.definition, check_id)
    reveal, _created = HintReveal.objects.get_or_create(student=student, lab=lab, check_id=check_id)
    return reveal


def hint_reveal_ids(*, student_id: int, lab_id: int) -> tuple[str, ...]:
    """The ids of the checks of a lab whose hint the learner revealed, in the order revealed."""
    ids = HintReveal.objects.filter(student_id=student_id, lab_id=lab_id).values_list("check_id", flat=True)
    return tuple(ids)


def _plural_count(value: float) -> int:
    return int(value) if float(value).is_integer() else 2


def hint_list(*, student: User, lab: Lab, language: str) -> tuple[HintView, ...]:
    """The hints of the lab's checks for the lab page, with the text of those the learner revealed."""
    revealed = set(hint_reveal_ids(student_id=student.pk, lab_id=lab.pk))
    key = "ko" if language == "ko" else "en"
    return tuple(
        HintView(check_id=check["id"], title=check["title"][key], penalty=float(check["hint"]["penalty"]),
                 penalty_count=_plural_count(check["hint"]["penalty"]), revealed=check["id"] in revealed,
                 text=check["hint"]["text"][key] if check["id"] in revealed else "")
        for check in lab.definition.get("checks", [])
        if check.get("hint")
    )


def hint_get(*, student: User, lab: Lab, check_id: str, language: str) -> HintView:
    """One check's hint as `hint_list` shows it (HintRefused when the check has none)."""
    check_hint(lab.definition, check_id)
    return next(hint for hint in hint_list(student=student, lab=lab, language=language) if hint.check_id == check_id)
