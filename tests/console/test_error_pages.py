"""Error pages look like the console and speak the page's language; the 500 page needs no database or session."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from console.services.preferences import user_language_set
from console.views import errors, home

KOREAN_BROWSER = {"Accept-Language": "ko-KR,ko;q=0.9"}


def _page(response) -> str:
    return response.content.decode()


def _break_home(monkeypatch, exception: Exception) -> None:
    def broken(*args, **kwargs):
        raise exception

    monkeypatch.setattr(home.selectors, "console_identity", broken)


@pytest.mark.django_db
class NotFoundPageTests:
    def test_is_a_console_page_with_the_navigation(self, student_client):
        page = _page(student_client.get("/console/nowhere/"))
        assert 'class="topbar"' in page and 'class="sidenav"' in page and 'id="language-select"' in page

    def test_says_what_happened(self, student_client):
        response = student_client.get("/console/nowhere/")
        assert response.status_code == 404
        assert "This page does not exist" in _page(response)

    def test_is_in_korean_for_a_korean_user(self, student_client, student):
        user_language_set(user=student, language="ko")
        page = _page(student_client.get("/console/nowhere/"))
        assert "찾을 수 없음" in page and '<html lang="ko">' in page

    def test_is_in_korean_for_a_korean_browser_when_signed_out(self, client):
        assert "이 페이지가 존재하지 않거나" in _page(client.get("/console/nowhere/", headers=KOREAN_BROWSER))

    def test_a_missing_role_gets_it_too(self, student_client):
        page = _page(student_client.get(reverse("console:role-detail", args=["nope"]), headers=KOREAN_BROWSER))
        assert "찾을 수 없음" in page


@pytest.mark.django_db
class AccessDeniedPageTests:
    def test_is_a_translated_console_page(self, student_client, student, monkeypatch):
        user_language_set(user=student, language="ko")
        _break_home(monkeypatch, PermissionDenied())
        response = student_client.get(reverse("console:home"))
        assert response.status_code == 403
        assert "이 페이지에 액세스할 권한이 없습니다." in _page(response) and 'class="sidenav"' in _page(response)


@pytest.mark.django_db
class BadRequestPageTests:
    def test_a_body_over_the_limit_is_a_translated_400(self, student_client, student, settings):
        user_language_set(user=student, language="ko")
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
        response = student_client.post(reverse("console:switch-role"), {"account": "x" * 500})
        assert response.status_code == 400
        assert "잘못된 요청" in _page(response)

    def test_a_bad_host_still_gets_the_page(self, client):
        response = client.get("/", HTTP_HOST="evil.example", headers=KOREAN_BROWSER)
        assert response.status_code == 400
        assert "잘못된 요청" in _page(response)


@pytest.mark.django_db
class ServerErrorPageTests:
    def test_an_unhandled_error_gets_the_console_500_page(self, student, monkeypatch):
        client = Client(raise_request_exception=False)
        client.force_login(student)
        _break_home(monkeypatch, RuntimeError("boom"))
        response = client.get(reverse("console:home"))
        assert response.status_code == 500
        assert "Something went wrong" in _page(response) and 'class="topbar"' in _page(response)

    def test_is_in_the_users_language(self, student, monkeypatch):
        user_language_set(user=student, language="ko")
        client = Client(raise_request_exception=False)
        client.force_login(student)
        _break_home(monkeypatch, RuntimeError("boom"))
        page = _page(client.get(reverse("console:home")))
        assert "문제가 발생했습니다" in page and '<html lang="ko">' in page

    def test_needs_no_database_query(self, django_assert_num_queries):
        request = RequestFactory().get("/console/")
        with translation.override("ko"), django_assert_num_queries(0):
            response = errors.server_error(request)
        assert "문제가 발생했습니다" in _page(response)

    def test_needs_no_session_or_user(self):
        request = RequestFactory().get("/console/")  # no middleware ran: no session, no user
        assert errors.server_error(request).status_code == 500

    def test_shows_no_request_details(self):
        request = RequestFactory().get("/console/?secret=abc")
        assert "abc" not in _page(errors.server_error(request))


@pytest.mark.django_db
def test_a_busy_sandbox_page_is_translated(student_client, student, monkeypatch):
    from sandbox import roles as sandbox_roles
    from sandbox.errors import SandboxUnavailable

    def busy(**_):
        raise SandboxUnavailable("database is locked")

    user_language_set(user=student, language="ko")
    monkeypatch.setattr(sandbox_roles, "role_list", busy)
    response = student_client.get(reverse("console:role-list"))
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert "다시 시도" in _page(response)


def test_the_handlers_are_the_consoles():
    from config import urls

    assert (urls.handler400, urls.handler403, urls.handler404, urls.handler500) == (
        "console.views.errors.bad_request", "console.views.errors.permission_denied",
        "console.views.errors.page_not_found", "console.views.errors.server_error")
