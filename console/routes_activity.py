"""Console URLs: event history, policy simulator, CLI access (namespace `console`)."""
from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
