"""Signed-in pages are not kept by the browser (Back shows them as they are now); other responses are left alone."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_not_stored(student_client):
    response = student_client.get("/console/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_signed_out_page_is_left_alone(client):
    response = client.get("/no-such-page/", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert "no-store" not in response.get("Cache-Control", "")


def test_answers_that_are_not_pages_are_left_alone(student_client):
    response = student_client.get("/aws/", HTTP_HOST="localhost")  # AWS's XML error, even with a session cookie
    assert response["Content-Type"].startswith(("text/xml", "application/xml"))
    assert "no-store" not in response.get("Cache-Control", "")
