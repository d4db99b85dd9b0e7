"""Lab URLs (namespace `labs`)."""
from __future__ import annotations

from django.urls import path

from labs import views

app_name = "labs"

urlpatterns = [
    path("", views.lab_list, name="lab-list"),
    path("<slug:slug>/", views.lab_detail, name="lab-detail"),
    path("<slug:slug>/check/", views.submission_create, name="submission-create"),
    path("<slug:slug>/start/", views.lab_start, name="lab-start"),
    path("<slug:slug>/reset/", views.lab_reset, name="lab-reset"),
    path("submissions/<int:submission_id>/", views.submission_status, name="submission-status"),
]
