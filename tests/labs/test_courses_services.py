"""Course services: the instructor role, courses, joining, the CSV roster, assignments and the submit rules."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from labs.models import Course, Enrollment, Submission
from labs.selectors_courses import user_is_instructor
from labs.services import courses
from labs.services.courses import CourseError, RosterOutcome, SubmitRefused
from tests.labs.conftest import assignment_settings

pytestmark = pytest.mark.django_db


class InstructorRoleTests:
    def test_a_new_user_is_not_an_instructor(self, student):
        assert not user_is_instructor(student)

    def test_granting_makes_an_instructor(self, instructor):
        assert user_is_instructor(instructor)

    def test_a_superuser_is_an_instructor(self, django_user_model):
        assert user_is_instructor(django_user_model.objects.create_superuser("root", "root@example.com", "x"))

    def test_an_inactive_instructor_is_not(self, instructor):
        instructor.is_active = False
        assert not user_is_instructor(instructor)


class CourseCreateTests:
    def test_the_slug_comes_from_the_title(self, course):
        assert course.slug == "iam-101"

    def test_a_second_course_with_the_same_title_gets_its_own_slug(self, instructor, course):
        assert courses.course_create(instructor=instructor, title="IAM 101").slug == "iam-101-2"

    def test_a_title_without_latin_letters_still_gets_a_slug(self, instructor):
        assert courses.course_create(instructor=instructor, title="역할 실습").slug == "course"

    def test_every_course_gets_its_own_invite_code(self, instructor, course):
        other = courses.course_create(instructor=instructor, title="Other")
        assert course.invite_code and other.invite_code != course.invite_code

    def test_resetting_the_invite_changes_the_code(self, course):
        old = course.invite_code
        assert courses.course_invite_reset(course=course).invite_code != old
        assert not Course.objects.filter(invite_code=old).exists()


class CourseJoinTests:
    def test_joining_enrols_the_student(self, student, course):
        assert courses.course_join(student=student, course=course) is True
        assert Enrollment.objects.filter(course=course, student=student).exists()

    def test_joining_twice_keeps_one_enrollment(self, student, course):
        courses.course_join(student=student, course=course)
        assert courses.course_join(student=student, course=course) is False
        assert Enrollment.objects.filter(course=course, student=student).count() == 1

    def test_the_instructor_cannot_join_their_own_course(self, instructor, course):
        with pytest.raises(CourseError, match="you teach this course"):
            courses.course_join(student=instructor, course=course)


class RosterImportTests:
    @pytest.fixture
    def people(self, django_user_model):
        django_user_model.objects.create_user("alice", email="alice@example.com")
        django_user_model.objects.create_user("bob", email="bob@example.com")
        django_user_model.objects.create_user("twin1", email="twin@example.com")
        django_user_model.objects.create_user("twin2", email="twin@example.com")

    def _outcomes(self, report):
        return [(line.number, line.value, line.outcome) for line in report.lines]

    def test_usernames_and_emails_enrol_existing_users(self, course, people):
        report = courses.roster_import(course=course, data=b"alice\nbob@example.com\n")
        assert report.enrolled == 2
        assert set(course.enrollments.values_list("student__username", flat=True)) == {"alice", "bob"}

    def test_a_header_row_is_skipped(self, course, people):
        report = courses.roster_import(course=course, data=b"username,name\nalice,Alice A\n")
        assert self._outcomes(report) == [(2, "alice", RosterOutcome.ENROLLED)]

    def test_unknown_names_are_reported_with_their_line(self, course, people):
        report = courses.roster_import(course=course, data=b"alice\n\nnobody\nghost@example.com\n")
        assert [(line.number, line.value) for line in report.problems] == [(3, "nobody"), (4, "ghost@example.com")]
        assert all(line.outcome == RosterOutcome.UNKNOWN for line in report.problems)

    def test_an_email_shared_by_two_users_is_ambiguous(self, course, people):
        report = courses.roster_import(course=course, data=b"twin@example.com\n")
        assert report.lines[0].outcome == RosterOutcome.AMBIGUOUS
        assert not course.enrollments.exists()

    def test_someone_already_enrolled_is_reported_so(self, course, people):
        courses.roster_import(course=course, data=b"alice\n")
        assert courses.roster_import(course=course, data=b"alice\n").already_enrolled == 1

    def test_the_instructor_is_never_enrolled(self, course, people):
        report = courses.roster_import(course=course, data=b"teacher\n")
        assert report.lines[0].outcome == RosterOutcome.INSTRUCTOR

    def test_a_byte_order_mark_and_windows_line_ends_are_fine(self, course, people):
        assert courses.roster_import(course=course, data="\ufeffalice\r\nbob\r\n".encode()).enrolled == 2

    def test_a_file_that_is_not_utf8_is_refused(self, course):
        with pytest.raises(CourseError, match="not UTF-8"):
            courses.roster_import(course=course, data=b"\xff\xfe\x00a")

    def test_a_username_is_matched_without_case(self, course, people):
        assert courses.roster_import(course=course, data=b"ALICE\n").enrolled == 1


class AssignmentSettingsTests:
    def test_an_assignment_is_created_with_its_settings(self, course, course_lab):
        due = timezone.now() + timedelta(days=3)
        assignment = courses.assignment_create(
            course=course, settings=assignment_settings(course_lab, due_at=due, attempts=2, late_penalty=10))
        assert (assignment.attempts, assignment.late_penalty, assignment.due_at) == (2, 10, due)

    def test_assignments_are_placed_in_order(self, course, catalog):
        first = courses.assignment_create(course=course, settings=assignment_settings(catalog["first-role"]))
        second = courses.assignment_create(course=course, settings=assignment_settings(catalog["external-id"]))
        assert (first.position, second.position) == (0, 1)

    def test_the_same_lab_cannot_be_assigned_twice(self, course, assignment, course_lab):
        with pytest.raises(CourseError, match=str(courses.LAB_ALREADY_ASSIGNED)):
            courses.assignment_create(course=course, settings=assignment_settings(course_lab))

    def test_an_unpublished_lab_cannot_be_assigned(self, course, course_lab):
        course_lab.published = False
        with pytest.raises(CourseError, match=str(courses.LAB_NOT_PUBLISHED)):
            courses.assignment_create(course=course, settings=assignment_settings(course_lab))

    def test_the_due_date_must_follow_the_opening(self, course, course_lab):
        now = timezone.now()
        with pytest.raises(CourseError, match=str(courses.DUE_BEFORE_OPEN)):
            courses.assignment_create(course=course, settings=assignment_settings(course_lab, opens_at=now, due_at=now))

    def test_hiding_scores_needs_a_due_date(self, course, course_lab):
        with pytest.raises(CourseError, match=str(courses.HIDDEN_NEEDS_DUE)):
            courses.assignment_create(course=course,
                                      settings=assignment_settings(course_lab, hide_scores_until_due=True))

    def test_an_update_changes_the_settings(self, assignment, course_lab):
        courses.assignment_update(assignment=assignment, settings=assignment_settings(course_lab, attempts=5))
        assignment.refresh_from_db()
        assert assignment.attempts == 5

    def test_an_update_may_keep_its_own_lab(self, assignment, course_lab):
        courses.assignment_update(assignment=assignment, settings=assignment_settings(course_lab, late_penalty=5))
        assert assignment.late_penalty == 5


class SubmitTests:
    def test_a_submit_is_recorded_against_the_assignment(self, enrolled, assignment):
        submission = courses.assignment_submit(student=enrolled, assignment=assignment)
        assert (submission.kind, submission.assignment, submission.status) == (
            Submission.Kind.SUBMIT, assignment, Submission.Status.QUEUED)

    def test_a_student_not_enrolled_cannot_submit(self, student, assignment):
        with pytest.raises(SubmitRefused, match=str(courses.NOT_ENROLLED)):
            courses.assignment_submit(student=student, assignment=assignment)

    def test_a_submit_before_the_opening_is_refused_with_the_date(self, enrolled, assignment):
        assignment.opens_at = timezone.now() + timedelta(days=1)
        assignment.save()
        with pytest.raises(SubmitRefused, match="this assignment opens on"):
            courses.assignment_submit(student=enrolled, assignment=assignment)

    def test_a_submit_after_the_opening_is_accepted(self, enrolled, assignment):
        assignment.opens_at = timezone.now() - timedelta(minutes=1)
        assignment.save()
        assert courses.assignment_submit(student=enrolled, assignment=assignment).pk

    def test_a_pending_submit_is_returned_instead_of_a_second_one(self, enrolled, assignment):
        first = courses.assignment_submit(student=enrolled, assignment=assignment)
        assert courses.assignment_submit(student=enrolled, assignment=assignment) == first

    def test_submits_are_refused_once_the_attempts_are_used(self, enrolled, assignment):
        assignment.attempts = 2
        assignment.save()
        for _ in range(2):
            submission = courses.assignment_submit(student=enrolled, assignment=assignment)
            Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.GRADED)
        with pytest.raises(SubmitRefused) as refused:
            courses.assignment_submit(student=enrolled, assignment=assignment)
        assert refused.value.message == str(courses.ATTEMPTS_USED % {"attempts": 2})

    def test_the_last_attempt_message_is_singular(self, enrolled, assignment):
        assignment.attempts = 1
        assignment.save()
        Submission.objects.filter(pk=courses.assignment_submit(student=enrolled, assignment=assignment).pk).update(
            status=Submission.Status.GRADED)
        with pytest.raises(SubmitRefused, match="your only attempt"):
            courses.assignment_submit(student=enrolled, assignment=assignment)

    @pytest.mark.parametrize("status", [Submission.Status.NOT_GRADABLE, Submission.Status.ERROR])
    def test_a_submit_that_was_not_graded_gives_the_attempt_back(self, enrolled, assignment, status):
        assignment.attempts = 1
        assignment.save()
        first = courses.assignment_submit(student=enrolled, assignment=assignment)
        Submission.objects.filter(pk=first.pk).update(status=status)
        assert courses.assignment_submit(student=enrolled, assignment=assignment) != first

    def test_checks_never_use_an_attempt(self, enrolled, assignment, course_lab):
        assignment.attempts = 1
        assignment.save()
        Submission.objects.create(student=enrolled, lab=course_lab, status=Submission.Status.GRADED)
        assert courses.attempts_used(student=enrolled, assignment=assignment) == 0

    def test_zero_attempts_means_unlimited(self, enrolled, assignment):
        for _ in range(5):
            submission = courses.assignment_submit(student=enrolled, assignment=assignment)
            Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.GRADED)
        assert courses.attempts_used(student=enrolled, assignment=assignment) == 5

    def test_a_late_submit_is_accepted(self, enrolled, assignment):
        assignment.due_at = timezone.now() - timedelta(days=2)
        assignment.save()
        assert courses.assignment_submit(student=enrolled, assignment=assignment).pk


class PenaltyAndHiddenScoreTests:
    @pytest.fixture
    def due(self, assignment):
        assignment.due_at = timezone.now()
        assignment.late_penalty = 10
        return assignment

    def test_on_time_keeps_the_score(self, due):
        assert due.score_after_penalty(0.8, due.due_at) == 0.8

    def test_a_minute_late_counts_as_a_day(self, due):
        assert due.late_days(due.due_at + timedelta(minutes=1)) == 1
        assert due.score_after_penalty(1.0, due.due_at + timedelta(minutes=1)) == pytest.approx(0.9)

    def test_twenty_five_hours_late_counts_as_two_days(self, due):
        assert due.score_after_penalty(1.0, due.due_at + timedelta(hours=25)) == pytest.approx(0.8)

    def test_the_penalty_never_goes_below_zero(self, due):
        assert due.score_after_penalty(1.0, due.due_at + timedelta(days=30)) == 0.0

    def test_without_a_due_date_nothing_is_late(self, assignment):
        assignment.late_penalty = 50
        assert assignment.score_after_penalty(1.0, timezone.now()) == 1.0

    def test_scores_are_hidden_before_the_due_date(self, due):
        due.hide_scores_until_due = True
        assert due.scores_hidden(due.due_at - timedelta(seconds=1))

    def test_scores_show_from_the_due_date(self, due):
        due.hide_scores_until_due = True
        assert not due.scores_hidden(due.due_at)

    def test_scores_are_shown_when_the_instructor_did_not_hide_them(self, due):
        assert not due.scores_hidden(due.due_at - timedelta(days=1))

    def test_a_submit_knows_its_score_is_hidden(self, due, enrolled):
        due.due_at = timezone.now() + timedelta(days=1)
        due.hide_scores_until_due = True
        due.save()
        assert courses.assignment_submit(student=enrolled, assignment=due).score_hidden

    def test_a_check_is_never_hidden(self, enrolled, course_lab):
        assert not Submission.objects.create(student=enrolled, lab=course_lab).score_hidden
