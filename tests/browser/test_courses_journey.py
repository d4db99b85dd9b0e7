"""Courses in a real browser: an instructor creates a course and an assignment, a student joins by the invite
link and submits, and the instructor sees the score in the gradebook (real worker, real Redis)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from labs.services.courses import instructor_grant
from sandbox import provisioning, roles
from tests.browser.journey import screenshot
from tests.browser.journey import sign_in as _sign_in
from tests.sandbox.helpers import EC2_TRUST

pytestmark = [pytest.mark.browser, pytest.mark.integration]





def _shot(page: Page, name: str) -> None:
    screenshot(page, f"courses-{name}")


def test_course_assignment_invite_submit_gradebook(browser: Browser, live_server, celery_worker_process, make_user,
                                                  student, catalog):
    instructor_grant(user=make_user("teacher"))
    roles.role_create(identity=provisioning.learner_identity(user=student), role_name="FirstEc2Role",
                      trust_policy=EC2_TRUST)
    celery_worker_process.start()
    teacher = browser.new_context().new_page()
    teacher.set_default_timeout(15_000)

    _sign_in(teacher, live_server, "teacher")
    teacher.goto(f"{live_server.url}/labs/courses/")
    teacher.get_by_role("link", name="Create course").click()
    teacher.get_by_label("Title").fill("IAM roles, spring term")
    teacher.get_by_label("Description").fill("Roles, trust policies and temporary credentials.")
    teacher.get_by_role("button", name="Create course").click()
    expect(teacher.get_by_role("heading", name="IAM roles, spring term", level=1)).to_be_visible()

    teacher.get_by_role("link", name="New assignment").click()
    teacher.get_by_label("Lab").select_option(label="Create your first role (first-role)")
    teacher.get_by_label("Attempts").fill("2")
    teacher.get_by_label("Late penalty (% per day)").fill("10")
    _shot(teacher, "1-new-assignment")
    teacher.get_by_role("button", name="Create assignment").click()
    expect(teacher.get_by_role("heading", name="Create your first role", level=1)).to_be_visible()
    teacher.get_by_role("link", name="IAM roles, spring term").click()
    invite = teacher.get_by_test_id("invite-link").input_value()
    assert "/labs/join/" in invite
    _shot(teacher, "2-course-page")

    learner = browser.new_context().new_page()
    learner.set_default_timeout(15_000)
    learner.on("dialog", lambda dialog: dialog.accept())  # the Submit confirmation
    _sign_in(learner, live_server, "student1")
    learner.goto(invite)
    learner.get_by_role("button", name="Join course").click()
    expect(learner.get_by_role("heading", name="My assignments")).to_be_visible()
    expect(learner.get_by_text("You joined IAM roles, spring term.")).to_be_visible()
    _shot(learner, "3-my-assignments")
    learner.get_by_role("link", name="Create your first role").click()
    learner.get_by_role("button", name="Submit", exact=True).click()
    expect(learner.get_by_test_id("score")).to_have_text("4/4", timeout=60_000)
    expect(learner.get_by_test_id("assignment-submit")).to_contain_text("1 of 2 attempts left")
    expect(learner.locator('#assignment-submits [data-submit="1"]')).to_contain_text("100%")
    _shot(learner, "4-submitted")

    teacher.get_by_role("link", name="Gradebook").first.click()
    row = teacher.get_by_test_id("gradebook").locator('tr[data-student="student1"]')
    expect(row).to_contain_text("100%")
    _shot(teacher, "5-gradebook")
    row.get_by_role("link", name="student1").click()
    expect(teacher.locator('[data-check="only-ec2"]').first).to_be_attached()
    _shot(teacher, "6-student-drill-down")

    teacher.get_by_role("link", name="IAM roles, spring term").click()
    teacher.get_by_role("link", name="Create your first role").click()
    teacher.get_by_role("button", name="Regrade all").click()
    expect(teacher.get_by_test_id("regrade-percent")).to_have_text("100%", timeout=60_000)
    expect(teacher.locator("#regrade-progress")).to_contain_text("1 regraded, 0 failed, of 1 submit")
    _shot(teacher, "7-regrade-all")
