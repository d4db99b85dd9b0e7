"""The teaching clock in a real browser: a lab's fast-forward button moves the learner's sandbox clock (the block
and the top bar's badge update in place), and back to real time removes the badge."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journey import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_fast_forward_from_the_lab_page_and_back(page: Page, live_server, student, catalog):
    page.set_default_timeout(10_000)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/labs/role-chaining/")
    clock = page.get_by_test_id("teaching-clock")
    expect(clock).to_contain_text("real time")
    expect(page.get_by_test_id("clock-ahead")).to_have_count(0)

    clock.get_by_role("button", name="Fast-forward 1 hour").click()
    expect(clock).to_contain_text("1 hour ahead of real time")
    expect(page.get_by_test_id("clock-ahead")).to_have_text("Sandbox clock +1 hour")
    clock.get_by_role("button", name="Fast-forward 15 minutes").click()
    expect(clock).to_contain_text("1 hour 15 minutes ahead of real time")
    screenshot(page, "teaching-clock-1-fast-forwarded")

    page.goto(f"{live_server.url}/console/")  # the badge stays on every page while the clock runs ahead
    expect(page.get_by_test_id("clock-ahead")).to_have_text("Sandbox clock +1 hour 15 minutes")
    page.go_back()  # the lab page as it is now (the browser keeps no copy of signed-in pages)
    page.get_by_test_id("teaching-clock").get_by_role("button", name="Back to real time").click()
    expect(page.get_by_test_id("teaching-clock")).to_contain_text("real time")
    expect(page.get_by_test_id("clock-ahead")).to_have_count(0)
