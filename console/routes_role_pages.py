"""Console URLs for role list and role detail tabs (included by console/urls.py, namespace `console`)."""
from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
