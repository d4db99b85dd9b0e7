"""The training IdP's URLs (`federation:`): the corporate portal, AWS sign-in's SAML endpoint, and the IdP's public
documents. Included at `federation/` (so that `FEDERATION_OIDC_ISSUER_BASE` = `https://<site>/federation/oidc` makes
the training issuer's URL serve its own discovery document)."""
from __future__ import annotations

from django.urls import path

from sandbox.federation import views, views_portal

app_name = "federation"

urlpatterns = [
    path("portal/", views_portal.portal, name="portal"),
    path("portal/users/", views_portal.directory_user_add, name="portal-user-add"),
    path("portal/mappings/", views_portal.role_mapping_add, name="portal-mapping-add"),
    path("portal/sign-in/", views_portal.portal_sign_in, name="portal-sign-in"),
    path("portal/assertion/", views_portal.assertion_download, name="portal-assertion"),
    path("portal/token/", views_portal.id_token_download, name="portal-token"),
    path("portal/github-token/", views_portal.github_token_download, name="portal-github-token"),
    path("saml/<str:key>/metadata.xml", views.saml_metadata, name="saml-metadata"),
    path("oidc/<str:key>/.well-known/openid-configuration", views.oidc_discovery, name="oidc-discovery"),
    path("oidc/<str:key>/<str:issuer>/.well-known/openid-configuration", views.oidc_discovery,
         name="oidc-issuer-discovery"),
    path("oidc/<str:key>/<str:issuer>/jwks.json", views.oidc_jwks, name="oidc-jwks"),
]
