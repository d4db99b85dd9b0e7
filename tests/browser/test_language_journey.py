"""The language select in a real browser: to Korean and back, remembered for the user across sign-out, sign-in and
another browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.journey import screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def _sign_in(page: Page, url: str, *, username: str, password: str, button: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label(username).fill("student1")
    page.get_by_label(password).fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def test_korean_and_back_survives_signing_out_and_in(page: Page, browser: Browser, live_server, student):
    page.set_default_timeout(10_000)
    _sign_in(page, live_server.url, username="Username", password="Password", button="Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_label("Language").select_option("ko")
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    screenshot(page, "language-1-console-home-ko")

    # Signing out keeps Korean on the sign-in page, and signing in again keeps it.
    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_role("button", name="로그인")).to_be_visible()
    _sign_in(page, live_server.url, username="사용자 이름", password="암호", button="로그인")
    expect(page.get_by_role("link", name="역할", exact=True).first).to_be_visible()
    page.goto(f"{live_server.url}/console/iam/roles/create/")
    expect(page.get_by_role("heading", name="신뢰할 수 있는 엔터티 선택", level=1)).to_be_visible()
    screenshot(page, "language-2-create-role-wizard-ko")
    page.goto(f"{live_server.url}/console/switchrole/")
    expect(page.get_by_role("button", name="역할 전환")).to_be_visible()
    screenshot(page, "language-3-switch-role-ko")

    # Another browser (no cookies, an English Accept-Language) gets the user's Korean once signed in.
    other = browser.new_context(locale="en-US")
    try:
        fresh = other.new_page()
        fresh.set_default_timeout(10_000)
        _sign_in(fresh, live_server.url, username="Username", password="Password", button="Sign in")
        expect(fresh.get_by_role("button", name="로그아웃")).to_be_visible()
    finally:
        other.close()

    page.get_by_label("언어").select_option("en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server.url, username="Username", password="Password", button="Sign in")
    expect(page.get_by_role("link", name="Roles", exact=True).first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
