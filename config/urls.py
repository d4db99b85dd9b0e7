"""Root URL configuration."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from console.views import language, saml_signin, switch
from sandbox.endpoint.ec2_metadata import instance_metadata
from sandbox.endpoint.views import aws_endpoint

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:home", permanent=False)),
    path("signin/", auth_views.LoginView.as_view(template_name="signin.html"), name="signin"),
    path("signout/", auth_views.LogoutView.as_view(), name="signout"),
    # The top bar's language select, remembered for the signed-in user (replaces django.conf.urls.i18n).
    path("i18n/setlang/", language.language_set, name="set_language"),
    path("console/", include("console.urls")),
    # AWS's switch-role link format (https://signin.aws.amazon.com/switchrole?account=...&roleName=...) at the root.
    path("switchrole", switch.switch_role, name="switchrole-link"),
    path("labs/", include("labs.urls")),
    # The training identity provider: the corporate portal, SAML sign-in, metadata, OIDC discovery and JWKS.
    # AWS sign-in's SAML endpoint (https://signin.aws.amazon.com/saml) as the training site plays it.
    path("federation/signin/saml", saml_signin.saml_sign_in, name="saml-signin"),
    path("federation/", include("sandbox.federation.urls")),
    path("admin/", admin.site.urls),
    re_path(r"^aws/ec2-instance/(?P<instance_id>i-[0-9a-f]{17})/latest/meta-data/(?P<path>.*)$", instance_metadata,
            name="ec2-instance-metadata"),
    re_path(r"^aws(?:/(?P<path>.*))?$", aws_endpoint, name="aws-endpoint"),
]

handler400 = "console.views.errors.bad_request"
handler403 = "console.views.errors.permission_denied"
handler404 = "console.views.errors.page_not_found"
handler500 = "console.views.errors.server_error"
