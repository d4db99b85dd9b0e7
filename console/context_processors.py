"""Template context for every page: the account menu in the top bar (computed only when a template uses it)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from console.selectors.access import role_history, switched_view
from labs.selectors_courses import user_is_instructor
from sandbox.selectors import account_menu_get


def account_menu(request: HttpRequest) -> dict[str, Any]:
    # A request refused before the middleware ran (a bad Host header) has no user or session.
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not hasattr(request, "session"):
        return {"account_menu": None, "switched_role": None, "role_history": [], "is_instructor": False}
    return {
        "account_menu": SimpleLazyObject(lambda: account_menu_get(user=user)),
        "switched_role": SimpleLazyObject(lambda: switched_view(request, user=user)),
        "role_history": role_history(request),
        "is_instructor": SimpleLazyObject(lambda: user_is_instructor(user)),
    }
