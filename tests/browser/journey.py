"""Steps every browser journey shares: signing in and saving a screenshot as a test artifact."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".run" / "screenshots"
PASSWORD = "correct-horse-battery"


def sign_in(page: Page, site: Any, username: str = "student1") -> None:
    """Sign in through the sign-in form; `site` is the live server or its URL."""
    base = getattr(site, "url", site)
    page.goto(f"{base}/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
