"""Lab pages: "Check my progress", live status by htmx polling, and nobody sees another learner's result."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django_htmx.http import HTMX_STOP_POLLING

from labs import tasks
from labs.models import Submission

HTMX = {"HX-Request": "true"}


@pytest.fixture
def lab(catalog):
    return catalog["first-role"]


@pytest.mark.django_db
class LabPageTests:
    def test_list_shows_the_catalogue(self, student_client, lab):
        assert "Create your first role" in student_client.get(reverse("labs:lab-list")).content.decode()

    def test_detail_shows_the_brief_and_the_check_button(self, student_client, lab):
        page = student_client.get(reverse("labs:lab-detail", args=[lab.slug])).content.decode()
        assert "FirstEc2Role" in page
        assert "Check my progress" in page

    def test_the_brief_follows_the_language(self, student_client, lab):
        student_client.cookies["django_language"] = "ko"
        page = student_client.get(reverse("labs:lab-detail", args=[lab.slug])).content.decode()
        assert "첫 번째 역할 만들기" in page

    def test_an_unknown_lab_is_a_404(self, student_client, db):
        assert student_client.get(reverse("labs:lab-detail", args=["nope"])).status_code == 404


@pytest.mark.django_db
class CheckMyProgressTests:
    def test_htmx_post_returns_a_polling_status_fragment(self, student_client, lab):
        response = student_client.post(reverse("labs:submission-create", args=[lab.slug]), headers=HTMX)
        page = response.content.decode()
        submission = Submission.objects.get()
        assert "<html" not in page
        assert 'hx-trigger="every 1s"' in page
        assert reverse("labs:submission-status", args=[submission.pk]) in page
        assert 'data-status="queued"' in page

    def test_a_plain_post_redirects_to_the_lab_page_which_shows_the_status(self, student_client, lab):
        response = student_client.post(reverse("labs:submission-create", args=[lab.slug]))
        assert response["Location"] == reverse("labs:lab-detail", args=[lab.slug])
        assert "Queued" in student_client.get(response["Location"]).content.decode()

    def test_a_second_click_while_queued_reuses_the_pending_submission(self, student_client, lab):
        url = reverse("labs:submission-create", args=[lab.slug])
        student_client.post(url, headers=HTMX)
        student_client.post(url, headers=HTMX)
        assert Submission.objects.count() == 1

    def test_status_keeps_polling_while_queued(self, student_client, lab):
        student_client.post(reverse("labs:submission-create", args=[lab.slug]), headers=HTMX)
        submission = Submission.objects.get()
        response = student_client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX)
        assert response.status_code == 200
        assert "every 1s" in response.content.decode()

    def test_a_final_status_stops_polling_with_286_and_shows_each_check(self, student_client, lab):
        student_client.post(reverse("labs:submission-create", args=[lab.slug]), headers=HTMX)
        submission = Submission.objects.get()
        tasks.submission_grade.apply(args=[submission.pk])
        response = student_client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX)
        page = response.content.decode()
        assert response.status_code == HTMX_STOP_POLLING
        assert "every 1s" not in page
        assert 'data-check="role-exists"' in page
        assert "0/4" in page

    def test_another_learners_submission_is_a_404(self, client, student, other_student, lab):
        submission = Submission.objects.create(student=other_student, lab=lab)
        client.force_login(student)
        response = client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX)
        assert response.status_code == 404

    def test_checking_needs_a_post(self, student_client, lab):
        assert student_client.get(reverse("labs:submission-create", args=[lab.slug])).status_code == 405


@pytest.mark.django_db
def test_korean_learners_read_korean_feedback_and_explanations(student_client, student, lab):
    from sandbox import provisioning, roles

    everyone = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},'
                '"Action":"sts:AssumeRole"}]}')
    identity = provisioning.learner_identity(user=student)
    roles.role_create(identity=identity, role_name="FirstEc2Role", trust_policy=everyone)
    student_client.post(reverse("labs:submission-create", args=[lab.slug]), headers=HTMX)
    submission = Submission.objects.get()
    tasks.submission_grade.apply(args=[submission.pk])
    student_client.cookies["django_language"] = "ko"
    page = student_client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX).content.decode()
    assert "신뢰 정책이 EC2가 아닌 다른 주체의 역할 수임도 허용합니다" in page
    assert "허용" in page.split('class="explanation"')[1]
