"""Requests refused before any middleware ran still get the site's error page, never a 500."""
from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_a_host_header_not_served_gets_a_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"Bad request" in response.content


@pytest.mark.django_db
def test_the_aws_endpoint_with_a_bad_host_is_a_400_too(client):
    response = client.post("/aws/", data="Action=ListRoles", content_type="application/x-www-form-urlencoded",
                           HTTP_HOST="evil.example")
    assert response.status_code == 400
