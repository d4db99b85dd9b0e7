"""Console URLs (namespace `console`)."""
from __future__ import annotations

from django.urls import include, path, register_converter

from console.converters import IamNameConverter, RoleNameConverter
from console.views import home, role_create, roles, switch

register_converter(RoleNameConverter, "role_name")
register_converter(IamNameConverter, "iam_name")

app_name = "console"

urlpatterns = [
    path("", home.console_home, name="home"),
    path("iam/roles/", roles.role_list, name="role-list"),
    path("iam/roles/create/", role_create.create_role, name="role-create"),
    # A role page is under `details/` (AWS: #/roles/details/<name>), so that any role name, `create` included, has one.
    path("iam/roles/details/<role_name:role_name>/", roles.role_detail, name="role-detail"),
    path("iam/roles/details/<role_name:role_name>/revoke-sessions/", roles.revoke_sessions,
         name="role-revoke-sessions"),
    path("switchrole/", switch.switch_role, name="switch-role"),
    path("switchrole/back/", switch.switch_back, name="switch-back"),
    path("federation/sign-out/", switch.federated_sign_out, name="federated-sign-out"),
    path("switchrole/recent/<int:index>/", switch.switch_recent, name="switch-recent"),
    # Each console area keeps its own routes module.
    path("", include("console.routes_wizard")),
    path("", include("console.routes_role_pages")),
    path("", include("console.routes_policies_users")),
    path("", include("console.routes_activity")),
    path("", include("console.routes_providers_graph")),
]
