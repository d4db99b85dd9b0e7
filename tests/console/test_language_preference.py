"""The console language is remembered per user: it wins over the browser, follows them to other browsers, and the
top bar's select sets it (only ever redirecting to this site)."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from console.models import UserPreference
from console.selectors.preferences import user_language_get
from console.services.preferences import UnknownLanguage, user_language_set

COOKIE = settings.LANGUAGE_COOKIE_NAME
PASSWORD = "correct-horse-battery"
KOREAN = "역할 생성"  # "Create role" on the Roles page
KOREAN_BROWSER = {"Accept-Language": "ko-KR,ko;q=0.9"}


def _switch(client, language, next_url="/console/iam/roles/", **extra):
    return client.post(reverse("set_language"), {"language": language, "next": next_url}, **extra)


def _roles_page(client, **headers) -> str:
    return client.get(reverse("console:role-list"), headers=headers).content.decode()


@pytest.mark.django_db
class LanguageServiceTests:
    def test_a_user_without_a_choice_has_none(self, student):
        assert user_language_get(user=student) is None

    def test_the_choice_is_stored_once_per_user(self, student):
        user_language_set(user=student, language="ko")
        user_language_set(user=student, language="en")
        assert list(UserPreference.objects.values_list("language", flat=True)) == ["en"]

    def test_an_unknown_language_is_refused(self, student):
        with pytest.raises(UnknownLanguage):
            user_language_set(user=student, language="fr")


@pytest.mark.django_db
class LanguageSwitchTests:
    def test_switching_saves_the_choice_for_the_signed_in_user(self, student_client, student):
        _switch(student_client, "ko")
        assert user_language_get(user=student) == "ko"

    def test_switching_sets_the_language_cookie(self, student_client):
        response = _switch(student_client, "ko")
        assert response.cookies[COOKIE].value == "ko"

    def test_the_cookie_outlives_the_browser_session(self, student_client):
        assert _switch(student_client, "ko").cookies[COOKIE]["max-age"]

    def test_switching_redirects_to_next(self, student_client):
        response = _switch(student_client, "ko", "/console/iam/roles/?q=app")
        assert (response.status_code, response["Location"]) == (302, "/console/iam/roles/?q=app")

    @pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
    def test_a_next_on_another_site_is_not_followed(self, student_client, next_url):
        assert _switch(student_client, "ko", next_url)["Location"] == "/"

    def test_without_next_it_goes_back_to_the_referring_page_of_this_site(self, student_client):
        response = student_client.post(reverse("set_language"), {"language": "ko"},
                                       headers={"Referer": "http://testserver/console/iam/users/"})
        assert response["Location"] == "http://testserver/console/iam/users/"

    def test_an_unknown_language_is_a_400_and_changes_nothing(self, student_client, student):
        response = _switch(student_client, "xx")
        assert response.status_code == 400
        assert (COOKIE not in response.cookies, user_language_get(user=student)) == (True, None)

    def test_a_get_is_refused(self, student_client):
        assert student_client.get(reverse("set_language"), {"language": "ko"}).status_code == 405

    def test_signed_out_switching_sets_only_the_cookie(self, client):
        response = _switch(client, "ko", "/signin/")
        assert response.cookies[COOKIE].value == "ko"
        assert not UserPreference.objects.exists()

    def test_signed_out_pages_follow_the_cookie(self, client):
        _switch(client, "ko", "/signin/")
        assert "로그인" in client.get(reverse("signin")).content.decode()


@pytest.mark.django_db
class LanguageAppliedTests:
    def test_the_stored_language_wins_over_the_browser_header(self, student_client, student):
        user_language_set(user=student, language="en")
        assert KOREAN not in _roles_page(student_client, **KOREAN_BROWSER)

    def test_the_stored_language_wins_over_the_cookie(self, student_client, student):
        user_language_set(user=student, language="ko")
        student_client.cookies[COOKIE] = "en"
        assert KOREAN in _roles_page(student_client)

    def test_the_page_says_its_language(self, student_client, student):
        user_language_set(user=student, language="ko")
        assert '<html lang="ko">' in _roles_page(student_client)

    def test_a_user_without_a_choice_gets_the_browser_language(self, student_client):
        assert KOREAN in _roles_page(student_client, **KOREAN_BROWSER)

    def test_signing_in_on_another_browser_keeps_the_language(self, client, student):
        user_language_set(user=student, language="ko")
        response = client.post(reverse("signin"), {"username": "student1", "password": PASSWORD},
                               headers={"Accept-Language": "en"})
        assert response.cookies[COOKIE].value == "ko"
        assert KOREAN in _roles_page(client, **{"Accept-Language": "en"})

    def test_signing_out_keeps_the_language_on_the_sign_in_page(self, client, student):
        client.post(reverse("signin"), {"username": "student1", "password": PASSWORD})
        _switch(client, "ko")
        client.post(reverse("signout"))
        assert "로그인" in client.get(reverse("signin")).content.decode()

    def test_the_choice_survives_signing_out_and_in_on_a_fresh_browser(self, client, student):
        client.post(reverse("signin"), {"username": "student1", "password": PASSWORD})
        _switch(client, "ko")
        client.post(reverse("signout"))
        client.cookies.clear()
        client.post(reverse("signin"), {"username": "student1", "password": PASSWORD})
        assert KOREAN in _roles_page(client)

    def test_a_cookie_already_in_step_is_not_set_again(self, student_client, student):
        user_language_set(user=student, language="ko")
        student_client.cookies[COOKIE] = "ko"
        assert COOKIE not in student_client.get(reverse("console:role-list")).cookies

    def test_a_stale_cookie_is_brought_in_step(self, student_client, student):
        user_language_set(user=student, language="ko")
        student_client.cookies[COOKIE] = "en"
        assert student_client.get(reverse("console:role-list")).cookies[COOKIE].value == "ko"


def test_the_language_middleware_runs_after_authentication():
    middleware = settings.MIDDLEWARE
    ours = middleware.index("console.middleware.UserLanguageMiddleware")
    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < ours
    assert middleware.index("django.middleware.locale.LocaleMiddleware") < ours
