"""Path converters for IAM names (roles, inline policies), registered by console/urls.py."""
from __future__ import annotations

# AWS: role and policy names are 1-64 (roles) or 1-128 (policies) characters of [\w+=,.@-], ASCII only.
_NAME = "[A-Za-z0-9_+=,.@-]"
# Browsers drop the path segments `.` and `..` (and their %2E spellings); such names travel as `%2E`, which
# reverse() quotes as `%252E`, so that the browser keeps the segment and Django hands back `%2E`.
_DOTS = "(?:%2E){1,2}"


class IamNameConverter:
    """An inline policy name: 1-128 IAM name characters."""

    regex = f"{_DOTS}|{_NAME}{{1,128}}"

    def to_python(self, value: str) -> str:
        return value.replace("%2E", ".") if value.startswith("%2E") else value

    def to_url(self, value: str) -> str:
        return value.replace(".", "%2E") if value in {".", ".."} else value


class RoleNameConverter(IamNameConverter):
    """A role name: 1-64 IAM name characters (`create` and `details` included)."""

    regex = f"{_DOTS}|{_NAME}{{1,64}}"
