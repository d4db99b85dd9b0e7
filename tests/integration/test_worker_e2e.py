"""End to end on real parts: a real Celery worker process on a real Redis grades a submission."""
from __future__ import annotations

import time

import pytest
from django.urls import reverse

from labs.models import Grade, Submission
from sandbox import provisioning, roles
from tests.sandbox.helpers import EC2_TRUST

pytestmark = pytest.mark.integration
HTMX = {"HX-Request": "true"}


def _wait_for_final(submission_id: int, worker, timeout: float = 60.0) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.is_final:
            return submission
        time.sleep(0.2)
    pytest.fail(f"submission {submission_id} not graded in {timeout} s; worker log:\n{worker.log()}")


def test_a_submission_queued_while_the_worker_is_down_is_graded_when_it_comes_back(
    celery_worker_process, client, student, catalog
):
    client.force_login(student)
    roles.role_create(identity=provisioning.learner_identity(user=student), role_name="FirstEc2Role",
                      trust_policy=EC2_TRUST)

    response = client.post(reverse("labs:submission-create", args=["first-role"]), headers=HTMX)
    submission = Submission.objects.get()
    assert 'data-status="queued"' in response.content.decode()
    time.sleep(1.0)
    status = client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX)
    assert 'data-status="queued"' in status.content.decode()

    celery_worker_process.start()
    graded = _wait_for_final(submission.pk, celery_worker_process)

    assert graded.status == Submission.Status.GRADED, celery_worker_process.log()
    assert Grade.objects.get(submission=graded).score == 1.0
    final = client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX)
    assert final.status_code == 286
    assert "4/4" in final.content.decode()
