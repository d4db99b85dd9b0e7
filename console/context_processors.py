"""Template context for every page: the account menu in the top bar (computed only when a template uses it)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sandbox.selectors import account_menu_get


def account_menu(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not isinstance(user, User):
        return {"account_menu": None}
    return {"account_menu": SimpleLazyObject(lambda: account_menu_get(user=user))}
