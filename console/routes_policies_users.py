"""Console URLs: managed policies and IAM users (namespace `console`)."""
from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
