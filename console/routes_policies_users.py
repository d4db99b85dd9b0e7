"""Console URLs for managed policies and IAM users (passwords, access keys, MFA).

Included by console/urls.py, namespace `console`.
"""
from __future__ import annotations

from django.urls import URLPattern, path

from console.views import policies, users

# A policy is named by its ARN (slashes included), so the ARN is always the last part of the path.
urlpatterns: list[URLPattern] = [
    path("iam/policies/", policies.policy_list, name="policy-list"),
    path("iam/policies/create/", policies.policy_create, name="policy-create"),
    path("iam/policies/validate/", policies.policy_validate, name="policy-validate"),
    path("iam/policies/details/<path:policy_arn>", policies.policy_detail, name="policy-detail"),
    path("iam/policies/edit/<path:policy_arn>", policies.policy_edit, name="policy-edit"),
    path("iam/policies/delete/<path:policy_arn>", policies.policy_delete, name="policy-delete"),
    path("iam/policies/set-default-version/<path:policy_arn>", policies.policy_version_set_default,
         name="policy-version-default"),
    path("iam/policies/delete-version/<path:policy_arn>", policies.policy_version_delete, name="policy-version-delete"),
    path("iam/users/", users.user_list, name="user-list"),
    path("iam/users/create/", users.user_create, name="user-create"),
    path("iam/users/details/<str:user_name>/", users.user_detail, name="user-detail"),
    path("iam/users/details/<str:user_name>/add-permissions/", users.user_attach_policies,
         name="user-attach-policies"),
    path("iam/users/details/<str:user_name>/remove-policy/", users.user_detach_policy, name="user-detach-policy"),
    path("iam/users/details/<str:user_name>/console-access/", users.user_console_access, name="user-console-access"),
    path("iam/users/details/<str:user_name>/access-keys/create/", users.access_key_create,
         name="user-access-key-create"),
    path("iam/users/details/<str:user_name>/access-keys/<str:access_key_id>/", users.access_key_detail,
         name="user-access-key-detail"),
    path("iam/users/details/<str:user_name>/access-keys/<str:access_key_id>/status/", users.access_key_status,
         name="user-access-key-status"),
    path("iam/users/details/<str:user_name>/access-keys/<str:access_key_id>/delete/", users.access_key_delete,
         name="user-access-key-delete"),
    path("iam/users/details/<str:user_name>/mfa/assign/", users.mfa_assign, name="user-mfa-assign"),
    path("iam/users/details/<str:user_name>/mfa/enable/", users.mfa_enable, name="user-mfa-enable"),
    path("iam/users/details/<str:user_name>/mfa/cancel/", users.mfa_cancel, name="user-mfa-cancel"),
    path("iam/users/details/<str:user_name>/mfa/remove/", users.mfa_remove, name="user-mfa-remove"),
]
