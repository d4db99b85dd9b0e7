"""Console URLs for the create-role wizard (included by console/urls.py, namespace `console`).

`console:role-create` (`iam/roles/create/`, in console/urls.py) opens a new wizard; its steps live under its id.
"""
from __future__ import annotations

from django.urls import URLPattern, path

from console.views import role_create

urlpatterns: list[URLPattern] = [
    path("iam/roles/create/<uuid:wizard_id>/trusted-entity/", role_create.create_role_entity,
         name="role-create-entity"),
    path("iam/roles/create/<uuid:wizard_id>/permissions/", role_create.create_role_permissions,
         name="role-create-permissions"),
    path("iam/roles/create/<uuid:wizard_id>/review/", role_create.create_role_review, name="role-create-review"),
]
