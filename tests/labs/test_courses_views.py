"""Course screens: instructor pages need the role (403) and their own course (404); students see their own work."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HTMX_STOP_POLLING

from labs import tasks
from labs.models import Assignment, Course, Enrollment, RegradeRun, Submission
from labs.services import courses, gradebook
from tests.labs.conftest import graded_submit, solve_first_role

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _instructor_urls(course, assignment, student):
    return [
        reverse("labs:course-list"),
        reverse("labs:course-create"),
        reverse("labs:course-detail", args=[course.pk]),
        reverse("labs:assignment-create", args=[course.pk]),
        reverse("labs:assignment-detail", args=[course.pk, assignment.pk]),
        reverse("labs:assignment-edit", args=[course.pk, assignment.pk]),
        reverse("labs:gradebook", args=[course.pk]),
        reverse("labs:gradebook-csv", args=[course.pk]),
        reverse("labs:gradebook-student", args=[course.pk, student.pk]),
    ]


class PermissionTests:
    def test_a_student_gets_403_on_every_instructor_page(self, student_client, enrolled, course, assignment):
        for url in _instructor_urls(course, assignment, enrolled):
            assert student_client.get(url).status_code == 403, url

    def test_another_instructors_course_is_a_404(self, client, other_instructor, enrolled, course, assignment):
        client.force_login(other_instructor)
        urls = _instructor_urls(course, assignment, enrolled)[2:]
        for url in urls:
            assert client.get(url).status_code == 404, url

    def test_another_instructor_cannot_regrade_or_import(self, client, other_instructor, course, assignment):
        client.force_login(other_instructor)
        assert client.post(reverse("labs:assignment-regrade", args=[course.pk, assignment.pk])).status_code == 404
        assert client.post(reverse("labs:invite-reset", args=[course.pk])).status_code == 404

    def test_another_instructors_regrade_progress_is_a_404(self, client, other_instructor, instructor, assignment):
        run = gradebook.regrade_start(assignment=assignment, requested_by=instructor)
        client.force_login(other_instructor)
        assert client.get(reverse("labs:regrade-progress", args=[run.pk]), headers=HTMX).status_code == 404

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, course):
        response = client.get(reverse("labs:course-detail", args=[course.pk]))
        assert response.status_code == 302 and reverse("signin") in response["Location"]

    def test_a_student_cannot_open_an_assignment_of_a_course_they_are_not_in(self, student_client, assignment):
        assert student_client.get(reverse("labs:assignment-lab", args=[assignment.pk])).status_code == 404
        assert student_client.post(reverse("labs:assignment-submit", args=[assignment.pk])).status_code == 404

    def test_a_post_without_the_csrf_token_is_refused(self, enrolled, assignment):
        client = Client(enforce_csrf_checks=True)
        client.force_login(enrolled)
        assert client.post(reverse("labs:assignment-submit", args=[assignment.pk])).status_code == 403
        assert not Submission.objects.exists()

    def test_the_instructor_sees_another_students_drill_down_only_when_enrolled(self, instructor_client, course,
                                                                                 other_student):
        url = reverse("labs:gradebook-student", args=[course.pk, other_student.pk])
        assert instructor_client.get(url).status_code == 404


class CourseViewTests:
    def test_my_courses_lists_the_instructors_courses_only(self, instructor_client, course, other_instructor):
        courses.course_create(instructor=other_instructor, title="Not mine")
        page = instructor_client.get(reverse("labs:course-list")).content.decode()
        assert "IAM 101" in page and "Not mine" not in page

    def test_creating_a_course_redirects_to_it(self, instructor_client, instructor):
        response = instructor_client.post(reverse("labs:course-create"), {"title": "Trust 201", "description": ""})
        course = Course.objects.get(title="Trust 201")
        assert (response.status_code, response["Location"]) == (302, reverse("labs:course-detail", args=[course.pk]))
        assert course.instructor == instructor

    def test_creating_with_htmx_answers_hx_redirect(self, instructor_client):
        response = instructor_client.post(reverse("labs:course-create"), {"title": "Trust 201"}, headers=HTMX)
        assert response["HX-Redirect"] == reverse("labs:course-detail", args=[Course.objects.get().pk])

    def test_a_course_without_a_title_comes_back_with_the_error(self, instructor_client):
        response = instructor_client.post(reverse("labs:course-create"), {"title": ""}, headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200 and 'id="course-form"' in page and "<html" not in page
        assert "field-error" in page

    def test_the_course_page_shows_the_invite_link(self, instructor_client, course):
        page = instructor_client.get(reverse("labs:course-detail", args=[course.pk])).content.decode()
        assert f"http://testserver/labs/join/{course.invite_code}/" in page

    def test_a_new_invite_link_replaces_the_old_one(self, instructor_client, course):
        old = course.invite_code
        instructor_client.post(reverse("labs:invite-reset", args=[course.pk]))
        course.refresh_from_db()
        assert course.invite_code != old


class RosterImportViewTests:
    def _upload(self, client, course, content: bytes, **extra):
        csv_file = SimpleUploadedFile("roster.csv", content, content_type="text/csv")
        return client.post(reverse("labs:roster-import", args=[course.pk]), {"csv_file": csv_file}, **extra)

    def test_the_import_enrols_and_reports_unknown_lines(self, instructor_client, course, student):
        response = self._upload(instructor_client, course, b"username\nstudent1\nnobody\n", headers=HTMX)
        page = response.content.decode()
        assert 'id="roster"' in page and "<html" not in page
        assert Enrollment.objects.filter(course=course, student=student).exists()
        assert 'data-line="3"' in page and "nobody" in page

    def test_without_htmx_the_whole_page_comes_back(self, instructor_client, course, student):
        response = self._upload(instructor_client, course, b"student1\n")
        assert response.status_code == 200 and "<html" in response.content.decode()

    def test_a_file_that_is_not_text_is_a_form_error(self, instructor_client, course):
        page = self._upload(instructor_client, course, b"\xff\xfe\x00", headers=HTMX).content.decode()
        assert "not UTF-8" in page


class AssignmentViewTests:
    def _form(self, lab, **overrides):
        return {"lab": lab.pk, "opens_at": "", "due_at": "", "attempts": 2, "late_penalty": 10, **overrides}

    def test_only_published_labs_are_offered(self, instructor_client, course, catalog):
        hidden = catalog["web-identity"]
        hidden.published = False  # every built-in lab is published: unpublish one for the test
        hidden.save(update_fields=["published"])
        page = instructor_client.get(reverse("labs:assignment-create", args=[course.pk])).content.decode()
        assert f'value="{catalog["first-role"].pk}"' in page and f'value="{hidden.pk}"' not in page

    def test_creating_an_assignment_redirects_to_it(self, instructor_client, course, course_lab):
        response = instructor_client.post(reverse("labs:assignment-create", args=[course.pk]),
                                          self._form(course_lab, due_at="2031-05-01T12:00"))
        assignment = Assignment.objects.get()
        assert response["Location"] == reverse("labs:assignment-detail", args=[course.pk, assignment.pk])
        assert (assignment.attempts, assignment.due_at.isoformat()) == (2, "2031-05-01T12:00:00+00:00")

    def test_a_lab_already_assigned_is_a_form_error(self, instructor_client, course, assignment, course_lab):
        response = instructor_client.post(reverse("labs:assignment-create", args=[course.pk]), self._form(course_lab))
        assert response.status_code == 200 and str(courses.LAB_ALREADY_ASSIGNED) in response.content.decode()

    def test_dates_in_the_wrong_order_are_a_form_error(self, instructor_client, course, course_lab):
        data = self._form(course_lab, opens_at="2031-05-02T12:00", due_at="2031-05-01T12:00")
        response = instructor_client.post(reverse("labs:assignment-create", args=[course.pk]), data)
        assert str(courses.DUE_BEFORE_OPEN) in response.content.decode()

    def test_hidden_scores_without_a_due_date_are_a_form_error(self, instructor_client, course, course_lab):
        data = self._form(course_lab, hide_scores_until_due="on")
        response = instructor_client.post(reverse("labs:assignment-create", args=[course.pk]), data)
        assert str(courses.HIDDEN_NEEDS_DUE) in response.content.decode()

    def test_a_penalty_over_100_is_refused(self, instructor_client, course, course_lab):
        response = instructor_client.post(reverse("labs:assignment-create", args=[course.pk]),
                                          self._form(course_lab, late_penalty=150))
        assert response.status_code == 200 and not Assignment.objects.exists()

    def test_editing_shows_the_current_settings_and_saves(self, instructor_client, course, assignment, course_lab):
        url = reverse("labs:assignment-edit", args=[course.pk, assignment.pk])
        assert 'name="attempts" value="0"' in instructor_client.get(url).content.decode()
        instructor_client.post(url, self._form(course_lab, attempts=4))
        assignment.refresh_from_db()
        assert assignment.attempts == 4

    def test_the_assignment_page_shows_the_regrade_button(self, instructor_client, course, assignment):
        page = instructor_client.get(reverse("labs:assignment-detail", args=[course.pk, assignment.pk]))
        assert "Regrade all" in page.content.decode()


class RegradeViewTests:
    def test_regrade_all_returns_a_polling_progress_fragment(self, instructor_client, course, assignment, enrolled):
        graded_submit(enrolled, assignment, 1.0)
        url = reverse("labs:assignment-regrade", args=[course.pk, assignment.pk])
        page = instructor_client.post(url, headers=HTMX).content.decode()
        run = RegradeRun.objects.get()
        assert 'id="regrade-progress"' in page and "<html" not in page
        assert reverse("labs:regrade-progress", args=[run.pk]) in page and 'hx-trigger="every 1s"' in page

    def test_progress_stops_polling_with_286_when_finished(self, instructor_client, instructor, assignment):
        run = gradebook.regrade_start(assignment=assignment, requested_by=instructor)
        response = instructor_client.get(reverse("labs:regrade-progress", args=[run.pk]), headers=HTMX)
        assert response.status_code == HTMX_STOP_POLLING
        assert 'value="100"' in response.content.decode()

    def test_progress_without_htmx_goes_to_the_assignment(self, instructor_client, instructor, course, assignment):
        run = gradebook.regrade_start(assignment=assignment, requested_by=instructor)
        response = instructor_client.get(reverse("labs:regrade-progress", args=[run.pk]))
        assert response["Location"] == reverse("labs:assignment-detail", args=[course.pk, assignment.pk])

    def test_a_plain_post_redirects_to_the_assignment(self, instructor_client, course, assignment):
        response = instructor_client.post(reverse("labs:assignment-regrade", args=[course.pk, assignment.pk]))
        assert response["Location"] == reverse("labs:assignment-detail", args=[course.pk, assignment.pk])

    def test_regrading_needs_a_post(self, instructor_client, course, assignment):
        url = reverse("labs:assignment-regrade", args=[course.pk, assignment.pk])
        assert instructor_client.get(url).status_code == 405


class GradebookViewTests:
    def test_the_gradebook_shows_scores_after_the_penalty(self, instructor_client, course, enrolled, assignment):
        assignment.due_at = timezone.now() - timedelta(days=2)
        assignment.late_penalty = 10
        assignment.save()
        graded_submit(enrolled, assignment, 1.0, at=assignment.due_at + timedelta(hours=1))
        page = instructor_client.get(reverse("labs:gradebook", args=[course.pk])).content.decode()
        assert "90%" in page and "1 day late" in page

    def test_the_csv_is_a_download(self, instructor_client, course, enrolled, assignment):
        graded_submit(enrolled, assignment, 0.5)
        response = instructor_client.get(reverse("labs:gradebook-csv", args=[course.pk]))
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"] == 'attachment; filename="iam-101-gradebook.csv"'
        assert response.content.decode().splitlines()[1] == "student1,,50.0"

    def test_the_drill_down_shows_each_check(self, instructor_client, course, enrolled, assignment):
        graded_submit(enrolled, assignment, 1.0)
        page = instructor_client.get(reverse("labs:gradebook-student", args=[course.pk, enrolled.pk]))
        assert 'data-check="role-exists"' in page.content.decode()


class JoinViewTests:
    def test_the_invite_link_asks_before_joining(self, student_client, course):
        page = student_client.get(reverse("labs:course-join", args=[course.invite_code])).content.decode()
        assert "Join IAM 101" in page and not Enrollment.objects.exists()

    def test_joining_enrols_and_goes_to_my_assignments(self, student_client, student, course):
        response = student_client.post(reverse("labs:course-join", args=[course.invite_code]))
        assert response["Location"] == reverse("labs:my-assignments")
        assert Enrollment.objects.filter(course=course, student=student).exists()

    def test_an_unknown_invite_code_is_a_404(self, student_client, course):
        assert student_client.get(reverse("labs:course-join", args=["nope"])).status_code == 404

    def test_the_instructor_joining_their_course_is_told_why_not(self, instructor_client, course):
        response = instructor_client.post(reverse("labs:course-join", args=[course.invite_code]), follow=True)
        assert "you teach this course" in response.content.decode()

    def test_joining_needs_sign_in(self, client, course):
        assert client.get(reverse("labs:course-join", args=[course.invite_code])).status_code == 302


class StudentPageTests:
    def test_my_assignments_lists_the_assignment(self, student_client, enrolled, assignment):
        page = student_client.get(reverse("labs:my-assignments")).content.decode()
        assert reverse("labs:assignment-lab", args=[assignment.pk]) in page
        assert 'data-status="not_started"' in page

    def test_my_assignments_hides_scores_until_due(self, student_client, enrolled, assignment):
        assignment.due_at = timezone.now() + timedelta(days=1)
        assignment.hide_scores_until_due = True
        assignment.save()
        graded_submit(enrolled, assignment, 0.5)
        page = student_client.get(reverse("labs:my-assignments")).content.decode()
        assert "Hidden until due" in page and "50%" not in page

    def test_the_assignment_lab_page_has_submit_next_to_check(self, student_client, enrolled, assignment):
        page = student_client.get(reverse("labs:assignment-lab", args=[assignment.pk])).content.decode()
        assert "Check my progress" in page
        assert reverse("labs:assignment-submit", args=[assignment.pk]) in page and "hx-confirm" in page

    def test_the_plain_lab_page_has_no_submit(self, student_client, enrolled, assignment, course_lab):
        page = student_client.get(reverse("labs:lab-detail", args=[course_lab.slug])).content.decode()
        assert reverse("labs:assignment-submit", args=[assignment.pk]) not in page

    def test_the_submit_panel_comes_back_alone_for_htmx(self, student_client, enrolled, assignment):
        response = student_client.get(reverse("labs:assignment-lab", args=[assignment.pk]), headers=HTMX)
        page = response.content.decode()
        assert 'id="assignment-submit"' in page and "<html" not in page

    def test_the_submits_list_comes_back_alone_when_it_is_the_target(self, student_client, enrolled, assignment):
        headers = {**HTMX, "HX-Target": "assignment-submits"}
        page = student_client.get(reverse("labs:assignment-lab", args=[assignment.pk]), headers=headers)
        assert page.content.decode().lstrip().startswith('<div id="assignment-submits"')

    def test_start_and_reset_come_back_to_the_assignment(self, student_client, enrolled, assignment):
        url = reverse("labs:assignment-lab", args=[assignment.pk])
        assert student_client.post(reverse("labs:assignment-lab-start", args=[assignment.pk]))["Location"] == url
        assert student_client.post(reverse("labs:assignment-lab-reset", args=[assignment.pk]))["Location"] == url


class SubmitViewTests:
    def test_htmx_submit_returns_a_polling_status_and_triggers_a_refresh(self, student_client, enrolled, assignment):
        response = student_client.post(reverse("labs:assignment-submit", args=[assignment.pk]), headers=HTMX)
        submission = Submission.objects.get()
        page = response.content.decode()
        assert submission.kind == Submission.Kind.SUBMIT
        assert reverse("labs:submission-status", args=[submission.pk]) in page and 'data-status="queued"' in page
        assert "assignment-submitted" in json.loads(response["HX-Trigger"])

    def test_a_plain_submit_redirects_to_the_assignment(self, student_client, enrolled, assignment):
        response = student_client.post(reverse("labs:assignment-submit", args=[assignment.pk]))
        assert response["Location"] == reverse("labs:assignment-lab", args=[assignment.pk])

    def test_a_refused_submit_shows_why_in_the_submit_panel(self, student_client, enrolled, assignment):
        assignment.opens_at = timezone.now() + timedelta(days=1)
        assignment.save()
        response = student_client.post(reverse("labs:assignment-submit", args=[assignment.pk]), headers=HTMX)
        assert response.status_code == 200 and response["HX-Retarget"] == "#assignment-submit"
        assert "this assignment opens on" in response.content.decode()

    def test_a_refused_plain_submit_shows_a_message(self, student_client, enrolled, assignment):
        assignment.attempts = 1
        assignment.save()
        graded_submit(enrolled, assignment, 1.0)
        response = student_client.post(reverse("labs:assignment-submit", args=[assignment.pk]), follow=True)
        assert "you have used your only attempt" in response.content.decode()

    def test_a_graded_submit_shows_its_score(self, student_client, enrolled, assignment):
        solve_first_role(enrolled)
        student_client.post(reverse("labs:assignment-submit", args=[assignment.pk]), headers=HTMX)
        submission = Submission.objects.get()
        tasks.submission_grade.apply(args=[submission.pk])
        response = student_client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX)
        assert response.status_code == HTMX_STOP_POLLING and "4/4" in response.content.decode()

    def test_a_hidden_score_stays_hidden_in_the_status(self, student_client, enrolled, assignment):
        assignment.due_at = timezone.now() + timedelta(days=1)
        assignment.hide_scores_until_due = True
        assignment.save()
        solve_first_role(enrolled)
        student_client.post(reverse("labs:assignment-submit", args=[assignment.pk]), headers=HTMX)
        submission = Submission.objects.get()
        tasks.submission_grade.apply(args=[submission.pk])
        page = student_client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX)
        text = page.content.decode()
        assert 'data-status="hidden"' in text and "4/4" not in text and "data-check" not in text

    def test_a_student_never_sees_another_students_submit(self, client, enrolled, other_student, course, assignment):
        Enrollment.objects.create(course=course, student=other_student)
        submission = graded_submit(enrolled, assignment, 1.0)
        client.force_login(other_student)
        assert client.get(reverse("labs:submission-status", args=[submission.pk]), headers=HTMX).status_code == 404
        page = client.get(reverse("labs:assignment-lab", args=[assignment.pk])).content.decode()
        assert "No submits yet." in page
