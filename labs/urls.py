"""Lab URLs (namespace `labs`)."""
from __future__ import annotations

from django.urls import path

from labs import views, views_authoring, views_courses

app_name = "labs"

# Course routes come first: `<slug:slug>/` (a lab) would otherwise take `courses/`, `assignments/`...
course_urlpatterns = [
    path("courses/", views_courses.course_list, name="course-list"),
    path("courses/new/", views_courses.course_create, name="course-create"),
    path("courses/<int:course_id>/", views_courses.course_detail, name="course-detail"),
    path("courses/<int:course_id>/roster/import/", views_courses.roster_import, name="roster-import"),
    path("courses/<int:course_id>/invite/reset/", views_courses.invite_reset, name="invite-reset"),
    path("courses/<int:course_id>/assignments/new/", views_courses.assignment_create, name="assignment-create"),
    path("courses/<int:course_id>/assignments/<int:assignment_id>/", views_courses.assignment_detail,
         name="assignment-detail"),
    path("courses/<int:course_id>/assignments/<int:assignment_id>/edit/", views_courses.assignment_edit,
         name="assignment-edit"),
    path("courses/<int:course_id>/assignments/<int:assignment_id>/regrade/", views_courses.assignment_regrade,
         name="assignment-regrade"),
    path("courses/<int:course_id>/gradebook/", views_courses.gradebook_page, name="gradebook"),
    path("courses/<int:course_id>/gradebook.csv", views_courses.gradebook_csv, name="gradebook-csv"),
    path("courses/<int:course_id>/gradebook/<int:student_id>/clock/", views_courses.student_clock,
         name="student-clock"),
    path("courses/<int:course_id>/gradebook/<int:student_id>/", views_courses.gradebook_student,
         name="gradebook-student"),
    path("regrades/<int:run_id>/", views_courses.regrade_progress, name="regrade-progress"),
    path("join/<slug:code>/", views_courses.course_join, name="course-join"),
    path("assignments/", views_courses.my_assignments, name="my-assignments"),
    path("assignments/<int:assignment_id>/", views_courses.assignment_lab, name="assignment-lab"),
    path("assignments/<int:assignment_id>/submit/", views_courses.assignment_submit, name="assignment-submit"),
    path("assignments/<int:assignment_id>/start/", views_courses.assignment_lab_start, name="assignment-lab-start"),
    path("assignments/<int:assignment_id>/reset/", views_courses.assignment_lab_reset, name="assignment-lab-reset"),
]

# Authoring in the browser (instructors): /labs/authoring/..., also before `<slug:slug>/`.
authoring_urlpatterns = [
    path("authoring/", views_authoring.authoring_list, name="authoring-list"),
    path("authoring/new/", views_authoring.authoring_create, name="authoring-create"),
    path("authoring/new/check/", views_authoring.authoring_check, name="authoring-check-new"),
    path("authoring/new/convert/", views_authoring.authoring_convert, name="authoring-convert-new"),
    path("authoring/import/", views_authoring.authoring_import, name="authoring-import"),
    path("authoring/<int:lab_id>/", views_authoring.authoring_edit, name="authoring-edit"),
    path("authoring/<int:lab_id>/check/", views_authoring.authoring_check, name="authoring-check"),
    path("authoring/<int:lab_id>/convert/", views_authoring.authoring_convert, name="authoring-convert"),
    path("authoring/<int:lab_id>/preview/", views_authoring.authoring_preview, name="authoring-preview"),
    path("authoring/<int:lab_id>/duplicate/", views_authoring.authoring_duplicate, name="authoring-duplicate"),
    path("authoring/<int:lab_id>/export/", views_authoring.authoring_export, name="authoring-export"),
    path("authoring/<int:lab_id>/selftest/", views_authoring.authoring_selftest_start, name="authoring-selftest"),
    path("authoring/<int:lab_id>/publish/", views_authoring.authoring_publish, name="authoring-publish"),
    path("authoring/<int:lab_id>/unpublish/", views_authoring.authoring_unpublish, name="authoring-unpublish"),
    path("authoring/selftests/<int:run_id>/", views_authoring.authoring_selftest_progress,
         name="authoring-selftest-progress"),
]

urlpatterns = [
    path("", views.lab_list, name="lab-list"),
    *course_urlpatterns,
    *authoring_urlpatterns,
    path("<slug:slug>/", views.lab_detail, name="lab-detail"),
    path("<slug:slug>/check/", views.submission_create, name="submission-create"),
    path("<slug:slug>/start/", views.lab_start, name="lab-start"),
    path("<slug:slug>/reset/", views.lab_reset, name="lab-reset"),
    path("<slug:slug>/clock/", views.lab_clock, name="lab-clock"),
    path("<slug:slug>/hints/<slug:check_id>/", views.hint_reveal, name="hint-reveal"),
    path("submissions/<int:submission_id>/", views.submission_status, name="submission-status"),
]
