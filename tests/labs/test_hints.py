"""Check hints: revealing one is idempotent and per learner, the page shows its text only once revealed, and every
grade made after it (check, submit, regrade) takes the hint's penalty off that check, never below zero."""
from __future__ import annotations

import copy
import json

import pytest
from django.urls import reverse

from labs import selectors, tasks
from labs.grading.checks import grade
from labs.grading.context import GradeContext, RoleView
from labs.models import Grade, HintReveal, Submission
from labs.services import authoring, courses, gradebook, hints
from labs.services.catalog import CATALOG_DIR, lab_read
from labs.services.lab_runner import learner_variables, run_calls
from labs.services.lab_start import lab_start
from sandbox.models import Sandbox
from tests.labs.conftest import assignment_settings

pytestmark = pytest.mark.django_db

LAB = "permissions-boundary"
HINTED = "delegate-needs-boundary"  # 3 points, its hint costs 0.5
HINT_EN = "A CreateRole request that sets a boundary carries its ARN"


@pytest.fixture
def lab(catalog):
    return catalog[LAB]


def _solve(student, lab) -> None:
    """The lab's setup, then its reference solution, in the student's sandbox."""
    lab_start(student=student, lab=lab)
    sandbox = Sandbox.objects.get(owner=student)
    run_calls(sandbox, lab.definition["solution"], learner_variables(sandbox, lab.definition))


def _check(student, lab) -> Submission:
    """"Check my progress", graded synchronously."""
    submission = Submission.objects.create(student=student, lab=lab)
    tasks.submission_grade.apply(args=[submission.pk])
    return submission


def _points(submission: Submission) -> dict[str, dict]:
    result = Grade.objects.get(submission=submission).result
    return {check["id"]: check for check in result["checks"]}


def _total(lab) -> float:
    return float(sum(check["points"] for check in lab.definition["checks"]))


class HintRevealTests:
    def test_revealing_twice_keeps_one_reveal(self, student, lab):
        first = hints.hint_reveal(student=student, lab=lab, check_id=HINTED)
        again = hints.hint_reveal(student=student, lab=lab, check_id=HINTED)
        assert first.pk == again.pk
        assert HintReveal.objects.count() == 1
        assert hints.hint_reveal_ids(student_id=student.pk, lab_id=lab.pk) == (HINTED,)

    def test_a_reveal_is_the_learners_own(self, student, other_student, lab):
        hints.hint_reveal(student=student, lab=lab, check_id=HINTED)
        assert hints.hint_reveal_ids(student_id=other_student.pk, lab_id=lab.pk) == ()

    def test_a_check_without_a_hint_is_refused(self, student, lab):
        with pytest.raises(hints.HintRefused, match=str(hints.NO_HINT)):
            hints.hint_reveal(student=student, lab=lab, check_id="app-role-trust")
        assert not HintReveal.objects.exists()

    def test_an_unknown_check_is_refused(self, student, lab):
        with pytest.raises(hints.HintRefused, match=str(hints.UNKNOWN_CHECK)):
            hints.hint_reveal(student=student, lab=lab, check_id="no-such-check")


class HintPageTests:
    def test_the_page_offers_the_hint_with_its_cost_and_hides_its_text(self, student_client, lab):
        page = student_client.get(reverse("labs:lab-detail", args=[LAB])).content.decode()
        assert "Show hint (costs 0.5 points)" in page
        assert reverse("labs:hint-reveal", args=[LAB, HINTED]) in page
        assert HINT_EN not in page

    def test_revealing_without_javascript_comes_back_to_the_page_with_the_text(self, student_client, lab):
        url = reverse("labs:hint-reveal", args=[LAB, HINTED])
        response = student_client.post(url, {"next": reverse("labs:lab-detail", args=[LAB])}, follow=True)
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == reverse("labs:lab-detail", args=[LAB])
        assert HINT_EN in page
        assert "Show hint (costs" not in page

    def test_htmx_gets_just_the_hint_block(self, student_client, lab):
        response = student_client.post(reverse("labs:hint-reveal", args=[LAB, HINTED]), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert html.strip().startswith(f'<div id="hint-{HINTED}"')
        assert HINT_EN in html and "<h1>" not in html

    def test_the_hint_shows_in_the_learners_language(self, student_client, lab):
        student_client.post(reverse("labs:hint-reveal", args=[LAB, HINTED]))
        student_client.cookies["django_language"] = "ko"
        page = student_client.get(reverse("labs:lab-detail", args=[LAB])).content.decode()
        ko = next(c for c in lab.definition["checks"] if c["id"] == HINTED)["hint"]["text"]["ko"]
        assert ko in page and HINT_EN not in page

    def test_a_lab_the_student_cannot_open_is_a_404_and_reveals_nothing(self, student, instructor, catalog, client):
        theirs = authoring.lab_duplicate(lab=catalog[LAB], author=instructor)
        theirs.published = True
        theirs.save(update_fields=["published"])
        assert theirs not in selectors.labs_visible(user=student)
        client.force_login(student)
        response = client.post(reverse("labs:hint-reveal", args=[theirs.slug, HINTED]))
        assert response.status_code == 404
        assert not HintReveal.objects.exists()

    def test_a_check_without_a_hint_is_a_404(self, student_client, lab):
        assert student_client.post(reverse("labs:hint-reveal", args=[LAB, "app-role-trust"])).status_code == 404


class HintPenaltyTests:
    def test_the_full_solution_with_a_revealed_hint_scores_the_total_minus_the_penalty(self, student, lab):
        _solve(student, lab)
        assert Grade.objects.get(submission=_check(student, lab)).score == 1.0
        hints.hint_reveal(student=student, lab=lab, check_id=HINTED)
        checks = _points(_check(student, lab))
        assert checks[HINTED]["points"] == 2.5 and checks[HINTED]["hint_penalty"] == 0.5
        assert all("hint_penalty" not in check for key, check in checks.items() if key != HINTED)
        earned = sum(check["points"] for check in checks.values())
        assert earned == _total(lab) - 0.5
        assert Grade.objects.filter(submission__student=student).last().score == pytest.approx(earned / _total(lab))

    def test_the_status_block_says_the_hint_was_used(self, student, student_client, lab):
        _solve(student, lab)
        hints.hint_reveal(student=student, lab=lab, check_id=HINTED)
        _check(student, lab)
        page = student_client.get(reverse("labs:lab-detail", args=[LAB])).content.decode()
        assert "hint used: -0.5" in page

    def test_the_penalty_never_makes_a_check_negative(self):
        definition = copy.deepcopy(lab_read(CATALOG_DIR / "first-role").definition)
        check = definition["checks"][0]
        check["hint"] = {"text": {"en": "look", "ko": "보기"}, "penalty": 5}
        role = RoleView(name="FirstEc2Role", arn="arn:aws:iam::210987654321:role/FirstEc2Role", trust_policy=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}))
        solved = GradeContext(account_id="210987654321", roles={role.name: role}, hints_revealed=(check["id"],))
        blank = GradeContext(account_id="210987654321", roles={}, hints_revealed=(check["id"],))
        for context, taken_off in ((solved, float(check["points"])), (blank, 0.0)):
            result = next(c for c in grade(definition, context).checks if c.check_id == check["id"])
            assert (result.points, result.hint_penalty) == (0.0, taken_off)

    def test_the_publish_gate_context_has_no_hints(self, student, lab):
        _solve(student, lab)
        hints.hint_reveal(student=student, lab=lab, check_id=HINTED)
        from labs.services.world import grade_context_for

        assert grade_context_for(Sandbox.objects.get(owner=student)).hints_revealed == ()


class HintRegradeTests:
    @pytest.fixture
    def assignment(self, course, lab, enrolled):
        return courses.assignment_create(course=course, settings=assignment_settings(lab))

    def _submit(self, student, assignment) -> Submission:
        submission = courses.assignment_submit(student=student, assignment=assignment)
        tasks.submission_grade.apply(args=[submission.pk])
        return submission

    def _regrade(self, instructor, assignment) -> None:
        run = gradebook.regrade_start(assignment=assignment, requested_by=instructor)
        for item in run.items.all():
            gradebook.submission_regrade(item_id=item.pk)

    def test_a_regrade_keeps_the_penalty_of_submit_time(self, instructor, enrolled, lab, assignment):
        _solve(enrolled, lab)
        hints.hint_reveal(student=enrolled, lab=lab, check_id=HINTED)
        hinted = self._submit(enrolled, assignment)
        HintReveal.objects.all().delete()  # whatever happens to reveals later, the kept context decides
        self._regrade(instructor, assignment)
        assert _points(hinted)[HINTED]["points"] == 2.5

    def test_a_hint_revealed_after_a_submit_does_not_touch_its_regrade(self, instructor, enrolled, lab, assignment):
        _solve(enrolled, lab)
        clean = self._submit(enrolled, assignment)
        hints.hint_reveal(student=enrolled, lab=lab, check_id=HINTED)
        self._regrade(instructor, assignment)
        assert Grade.objects.get(submission=clean).score == 1.0
        assert "hint_penalty" not in _points(clean)[HINTED]
