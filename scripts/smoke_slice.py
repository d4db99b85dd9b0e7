"""Walk the slice against a running `make run` site: sign in, create a role, check the lab, wait for the grade.

Usage: python scripts/smoke_slice.py http://127.0.0.1:8000 [username password]
Standard library only; exits non-zero with the reason when a step fails.
"""
from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import time
import urllib.parse
import urllib.request

ROLE = "FirstEc2Role"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.path = ""  # where the last answer came from, after redirects

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            self.path = urllib.parse.urlsplit(response.geturl()).path
            return response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> str:
        token = next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=10) as response:
            self.path = urllib.parse.urlsplit(response.geturl()).path
            return response.read().decode()


def create_role(browser: Browser) -> str:
    """The create-role wizard with a custom trust policy: trusted entity, permissions (none), name and create."""
    browser.get("/console/iam/roles/create/")
    if not browser.path.endswith("/trusted-entity/"):
        sys.exit("Create role did not open the wizard's first step")
    browser.post(browser.path, {"_action": "next", "entity_type": "custom", "custom_policy": TRUST})
    if not browser.path.endswith("/permissions/"):
        sys.exit("step 1 (Select trusted entity) refused the custom trust policy")
    browser.post(browser.path, {"_action": "next"})
    if not browser.path.endswith("/review/"):
        sys.exit("step 2 (Add permissions) did not lead to step 3")
    fields = {"_action": "create", "role_name": ROLE, "description": "", "trust_policy": TRUST}
    return browser.post(browser.path, fields)


def main(base: str, username: str, password: str) -> None:
    browser = Browser(base)
    browser.get("/signin/")
    home = browser.post("/signin/", {"username": username, "password": password})
    arn = re.search(r"arn:aws:iam::\d{12}:user/[\w+=,.@-]+", home)
    if not arn:
        sys.exit("sign-in did not land on the console home with an IAM user ARN")
    print(f"signed in as {arn.group(0)}")
    page = create_role(browser)
    if "EntityAlreadyExists" in page:
        print(f"role {ROLE} exists already (an earlier run)")
    elif ROLE not in page or "ec2.amazonaws.com" not in page:
        sys.exit("creating a role did not show the role page")
    else:
        print(f"created role {ROLE}")
    browser.post("/labs/first-role/check/", {})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = browser.get("/labs/first-role/")
        if 'data-status="graded"' in page:
            score = re.search(r'data-testid="score">([^<]+)<', page)
            if not score or score.group(1) != "4/4":
                sys.exit(f"graded, but the reference solution scored {score.group(1) if score else '?'} instead of 4/4")
            print("graded by the Celery worker: 4/4")
            return
        if 'data-status="error"' in page or 'data-status="not_gradable"' in page:
            sys.exit("grading ended without a grade")
        time.sleep(0.5)
    sys.exit("the submission was not graded within 60 s (is the Celery worker running?)")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], *(args[1:3] or ["student1", "student1-demo-pass"]))
