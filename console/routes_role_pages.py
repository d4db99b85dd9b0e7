"""Console URLs for role list and role detail tabs (included by console/urls.py, namespace `console`).

`role-list`, `role-detail` and `role-revoke-sessions` are declared in console/urls.py. A role's pages live under
`iam/roles/details/<role name>/` (the converters are registered there too), so no role name clashes with a route.
"""
from __future__ import annotations

from django.urls import URLPattern, path

from console.views import roles

ROLE = "iam/roles/details/<role_name:role_name>"

urlpatterns: list[URLPattern] = [
    path("iam/role-deletion/", roles.role_delete, name="role-delete"),
    path(f"{ROLE}/summary/edit/", roles.role_summary_edit, name="role-summary-edit"),
    path(f"{ROLE}/permissions/attach/", roles.role_policies_attach, name="role-policies-attach"),
    path(f"{ROLE}/permissions/detach/", roles.role_policy_detach, name="role-policy-detach"),
    path(f"{ROLE}/permissions/boundary/", roles.role_boundary_set, name="role-boundary-set"),
    path(f"{ROLE}/permissions/boundary/delete/", roles.role_boundary_delete, name="role-boundary-delete"),
    path(f"{ROLE}/permissions/inline/", roles.role_inline_policy, name="role-inline-policy-create"),
    path(f"{ROLE}/permissions/inline/<iam_name:policy_name>/", roles.role_inline_policy,
         name="role-inline-policy-edit"),
    path(f"{ROLE}/permissions/inline/<iam_name:policy_name>/delete/", roles.role_inline_policy_delete,
         name="role-inline-policy-delete"),
    path(f"{ROLE}/trust/edit/", roles.role_trust_edit, name="role-trust-edit"),
    path(f"{ROLE}/tags/edit/", roles.role_tags_edit, name="role-tags-edit"),
]
