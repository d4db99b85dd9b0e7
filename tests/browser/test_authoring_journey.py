"""Authoring in a real browser: an instructor duplicates a built-in lab, edits it in the YAML/JSON editor, runs the
self-test with live progress, publishes it and assigns it in a course; a student's check is graded against it
(real worker, real Redis)."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from labs.models import Grade, Lab
from labs.services.courses import instructor_grant
from sandbox import provisioning, roles
from tests.browser.journey import screenshot
from tests.browser.journey import sign_in as _sign_in
from tests.sandbox.helpers import EC2_TRUST

pytestmark = [pytest.mark.browser, pytest.mark.integration]





def _shot(page: Page, name: str) -> None:
    screenshot(page, f"authoring-{name}")


def test_duplicate_edit_selftest_publish_assign_and_grade(browser: Browser, live_server, celery_worker_process,
                                                          make_user, student, catalog):
    instructor_grant(user=make_user("teacher"))
    roles.role_create(identity=provisioning.learner_identity(user=student), role_name="FirstEc2Role",
                      trust_policy=EC2_TRUST)
    celery_worker_process.start()
    teacher = browser.new_context().new_page()
    teacher.set_default_timeout(15_000)
    _sign_in(teacher, live_server, "teacher")

    teacher.goto(f"{live_server.url}/labs/authoring/new/")
    expect(teacher.locator("#id_editor")).to_have_value(re.compile(r"kind: role_exists"))  # a starter example
    _shot(teacher, "0-new-lab")

    # Duplicate the built-in lab: the copy opens in the editor.
    teacher.goto(f"{live_server.url}/labs/authoring/")
    _shot(teacher, "0-list")
    teacher.get_by_role("button", name="Duplicate first-role").click()
    expect(teacher.get_by_text("Copied as first-role-copy")).to_be_visible()
    teacher.get_by_label("Slug").fill("ec2-role-lab")
    teacher.get_by_label("Title (English)").fill("Your EC2 role")
    editor = teacher.locator("#id_editor")
    expect(editor).to_have_value(re.compile(r"kind: role_exists"))

    # Choosing JSON converts the text at once; the content stays the same.
    teacher.get_by_test_id("editor-format").select_option("json")
    expect(editor).to_have_value(re.compile(r"^\{"))
    json_text = editor.input_value()
    assert json.loads(json_text)["checks"][0]["kind"] == "role_exists"

    # A broken edit is reported next to the editor as it is typed; the text stays as typed.
    editor.fill(json_text.replace('"points": 2', '"points": "two"'))
    check = teacher.get_by_test_id("editor-check")
    expect(check).to_contain_text("Not a valid lab yet")
    expect(check).to_contain_text("field `checks/1/points`")
    _shot(teacher, "1-editor-check")
    editor.fill(json_text)
    expect(check).to_contain_text("Valid lab.")
    teacher.get_by_role("button", name="Save").click()
    expect(teacher.get_by_text("Saved as version 2")).to_be_visible()
    expect(teacher.get_by_test_id("lab-status")).to_contain_text("ec2-role-lab")
    expect(teacher.get_by_role("button", name="Publish")).to_be_disabled()

    # Preview as a student.
    teacher.get_by_role("link", name="Preview as a student").click()
    expect(teacher.get_by_test_id("preview-banner")).to_be_visible()
    expect(teacher.get_by_role("heading", name="Your EC2 role", level=1)).to_be_visible()
    _shot(teacher, "2-preview")
    teacher.get_by_role("link", name="Back to the editor").click()

    # The self-test runs in the worker; the page follows its progress, then Publish is enabled.
    teacher.get_by_role("button", name="Run self-test").click()
    expect(teacher.get_by_test_id("selftest-bar")).to_be_visible()
    expect(teacher.locator("#selftest-progress")).to_have_attribute("data-status", "passed", timeout=120_000)
    expect(teacher.get_by_test_id("selftest-percent")).to_have_text("100%")
    expect(teacher.locator('#selftest-progress [data-step="mutant"]').first).to_be_visible()
    _shot(teacher, "3-selftest")
    teacher.get_by_role("button", name="Publish").click()
    expect(teacher.get_by_text("ec2-role-lab version 2 is published")).to_be_visible()

    # Assign it in a course.
    teacher.goto(f"{live_server.url}/labs/courses/new/")
    teacher.get_by_label("Title").fill("Labs we wrote")
    teacher.get_by_role("button", name="Create course").click()
    teacher.get_by_role("link", name="New assignment").click()
    teacher.get_by_label("Lab").select_option(label="Your EC2 role (ec2-role-lab)")
    teacher.get_by_role("button", name="Create assignment").click()
    expect(teacher.get_by_role("heading", name="Your EC2 role", level=1)).to_be_visible()
    _shot(teacher, "4-assigned")
    teacher.get_by_role("link", name="Labs we wrote").click()
    invite = teacher.get_by_test_id("invite-link").input_value()

    # An instructor's lab is open to the students of their courses only: a student joins, then checks.
    learner = browser.new_context().new_page()
    learner.set_default_timeout(15_000)
    _sign_in(learner, live_server, "student1")
    learner.goto(f"{live_server.url}/labs/ec2-role-lab/")
    expect(learner.get_by_role("button", name="Check my progress")).to_have_count(0)  # a 404 before joining
    learner.goto(invite)
    learner.get_by_role("button", name="Join course").click()
    learner.goto(f"{live_server.url}/labs/ec2-role-lab/")
    learner.get_by_role("button", name="Check my progress").click()
    expect(learner.get_by_test_id("score")).to_have_text("4/4", timeout=60_000)
    lab = Lab.objects.get(slug="ec2-role-lab")
    assert Grade.objects.get(submission__lab=lab).lab_version == lab.version == 2
