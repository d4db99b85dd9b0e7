"""Signing in, and the console home with the learner's sandbox identity."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sandbox.models import Sandbox


@pytest.mark.django_db
class SignInTests:
    def test_the_console_requires_signing_in(self, client):
        response = client.get(reverse("console:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("signin"))

    def test_a_wrong_password_is_refused_with_a_message(self, client, student):
        response = client.post(reverse("signin"), {"username": "student1", "password": "wrong"})
        assert response.status_code == 200
        assert "didn't match" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_signing_in_lands_on_the_console_home(self, client, student):
        response = client.post(reverse("signin"), {"username": "student1", "password": "correct-horse-battery"})
        assert response.status_code == 302
        assert response["Location"] == reverse("console:home")

    def test_the_home_page_shows_account_id_and_user_arn(self, student_client):
        page = student_client.get(reverse("console:home")).content.decode()
        account_id = re.search(r'data-testid="account-id">(\d{12})<', page).group(1)
        assert f"arn:aws:iam::{account_id}:user/student1" in page

    def test_signing_in_provisions_the_sandbox(self, client, student):
        client.post(reverse("signin"), {"username": "student1", "password": "correct-horse-battery"})
        assert Sandbox.objects.filter(owner=student).exists()

    def test_the_root_url_redirects_to_the_console(self, student_client):
        response = student_client.get("/")
        assert response["Location"] == reverse("console:home")


@pytest.mark.django_db
def test_unknown_pages_get_the_console_404_page(student_client):
    response = student_client.get("/console/nowhere/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


@pytest.mark.django_db
class LanguageTests:
    def test_korean_browsers_get_the_korean_console(self, student_client):
        page = student_client.get(reverse("console:home"), headers={"Accept-Language": "ko-KR,ko;q=0.9"})
        assert "역할 생성" in page.content.decode()

    def test_the_language_can_be_switched_and_is_remembered(self, student_client):
        student_client.post(reverse("set_language"), {"language": "ko", "next": "/console/"})
        assert "역할 생성" in student_client.get(reverse("console:role-list")).content.decode()
        student_client.post(reverse("set_language"), {"language": "en", "next": "/console/"})
        assert "Create role" in student_client.get(reverse("console:role-list")).content.decode()

    def test_the_top_bar_shows_the_account_menu_on_every_console_page(self, client, student):
        client.post(reverse("signin"), {"username": "student1", "password": "correct-horse-battery"})
        page = client.get(reverse("labs:lab-list")).content.decode()
        assert 'data-testid="account-menu">' in page and "<summary>student1 @" in page
