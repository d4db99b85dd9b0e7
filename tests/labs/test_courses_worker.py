"""Regrade all on real parts: a real Celery worker process on a real Redis fans the regrades out, and the
progress bar the instructor polls reaches 100% even though one child fails."""
from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django_htmx.http import HTMX_STOP_POLLING

from labs import tasks
from labs.models import Enrollment, Grade, RegradeItem, RegradeRun
from labs.services import courses
from tests.labs.conftest import graded_submit, solve_first_role

pytestmark = pytest.mark.integration
HTMX = {"HX-Request": "true"}


def test_regrade_all_reaches_100_percent_with_a_real_worker(
    celery_worker_process, client, instructor, course, assignment, student, other_student, make_user
):
    for learner in (student, other_student):
        Enrollment.objects.create(course=course, student=learner)
        solve_first_role(learner)
        submission = courses.assignment_submit(student=learner, assignment=assignment)
        tasks.submission_grade.apply(args=[submission.pk])  # graded here, its context kept
    legacy = make_user("student3")
    Enrollment.objects.create(course=course, student=legacy)
    graded_submit(legacy, assignment, 0.5)  # graded before contexts were kept: its regrade fails
    celery_worker_process.start()
    client.force_login(instructor)

    started = client.post(reverse("labs:assignment-regrade", args=[course.pk, assignment.pk]), headers=HTMX)
    assert 'id="regrade-progress"' in started.content.decode()
    run = RegradeRun.objects.get()
    url = reverse("labs:regrade-progress", args=[run.pk])
    seen, deadline = [], time.monotonic() + 90
    while time.monotonic() < deadline:
        response = client.get(url, headers=HTMX)
        seen.append(response.status_code)
        if response.status_code == HTMX_STOP_POLLING:
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"regrade not finished in 90 s; worker log:\n{celery_worker_process.log()}")

    page = response.content.decode()
    assert 'value="100"' in page and "2 regraded, 1 failed, of 3 submits" in page, celery_worker_process.log()
    assert RegradeRun.objects.get().status == RegradeRun.Status.FINISHED
    states = sorted(RegradeItem.objects.values_list("state", flat=True))
    assert states == [RegradeItem.State.DONE, RegradeItem.State.DONE, RegradeItem.State.FAILED]
    assert sorted(Grade.objects.values_list("score", flat=True)) == [0.5, 1.0, 1.0]
