"""Console URLs for identity providers and the trust graph (included by console/urls.py, namespace `console`)."""
from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
