"""Console URLs for event history, policy simulator and CLI access (included by console/urls.py, `console`)."""
from __future__ import annotations

from django.urls import URLPattern, path

from console.views import cli_access, events, simulator

urlpatterns: list[URLPattern] = [
    path("cloudtrail/events/", events.event_list, name="event-list"),
    path("cloudtrail/events/<uuid:event_id>/", events.event_detail, name="event-detail"),
    path("iam/policy-simulator/", simulator.policy_simulator, name="policy-simulator"),
    path("iam/cli-access/", cli_access.cli_access, name="cli-access"),
]
