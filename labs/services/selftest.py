"""The publish gate: a lab's reference solution must score 1.0, a blank sandbox 0, and every mutant less than 1.0.

Each run uses a throw-away learner (its own sandbox), so the gate never touches anyone's work.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_noop

from labs.grading.checks import grade
from labs.grading.mutants import Mutant, mutants
from labs.services.lab_runner import LabRunError, apply_setup, run_calls
from labs.services.world import grade_context_for
from sandbox.provisioning import sandbox_provision

STEP_BLANK = gettext_noop("blank sandbox")
STEP_REFERENCE = gettext_noop("reference solution")
# Called before the first step (done = 0) and after each one, with the result so far: (done, total, step, result).
Progress = Callable[[int, int, str, "LabSelftest"], None]


@dataclass
class LabSelftest:
    slug: str
    reference: float = 0.0
    blank: float = 1.0
    mutants: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (not self.errors and self.reference == 1.0 and self.blank == 0.0
                and all(m["score"] < 1.0 for m in self.mutants))

    def as_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "reference": self.reference, "blank": self.blank, "mutants": self.mutants,
                "errors": self.errors, "passed": self.passed}


def _score(definition: Mapping[str, Any], calls: Sequence[Mapping[str, Any]] | None, *, tolerate: bool) -> float:
    """Grade a fresh sandbox with the lab's setup and then `calls` (None: nothing more: the blank sandbox)."""
    user = User.objects.create_user(username=f"selftest-{secrets.token_hex(6)}")
    try:
        sandbox = sandbox_provision(user=user)
        variables = apply_setup(sandbox, definition)
        if calls:
            run_calls(sandbox, calls, variables, tolerate_errors=tolerate)
        return grade(definition, grade_context_for(sandbox, variables)).score
    finally:
        user.delete()


def lab_selftest(definition: Mapping[str, Any], *, progress: Progress | None = None) -> LabSelftest:
    result = LabSelftest(slug=str(definition["slug"]))
    solution = definition.get("solution", [])
    equivalent = {item["name"] for item in definition.get("equivalent_mutants", [])}
    found: list[Mutant] = [m for m in mutants(solution) if m.name not in equivalent]
    total = len(found) + 2
    _tick(progress, 0, total, STEP_BLANK, result)
    try:
        result.blank = _score(definition, None, tolerate=False)
        _tick(progress, 1, total, STEP_REFERENCE, result)
        result.reference = _score(definition, solution, tolerate=False)
        _tick(progress, 2, total, found[0].name if found else "", result)
    except LabRunError as error:
        result.errors.append(str(error))
        return result
    for index, mutant in enumerate(found):
        result.mutants.append({"name": mutant.name, "score": _score(definition, mutant.calls, tolerate=True)})
        following = found[index + 1].name if index + 1 < len(found) else ""
        _tick(progress, index + 3, total, following, result)
    return result


def _tick(progress: Progress | None, done: int, total: int, step: str, result: LabSelftest) -> None:
    """Report `done` steps of `total`; `step` names the one starting now ("" after the last)."""
    if progress is not None:
        progress(done, total, step, result)
