"""Console URLs for identity providers and the trust graph (included by console/urls.py, namespace `console`)."""
from __future__ import annotations

from django.urls import URLPattern, path

from console.views import providers, trust_graph

# OIDC provider names are URLs without `https://` (host and path), so they take the `path` converter; the
# action routes come first and start with a fixed word, so a provider name never captures them.
urlpatterns: list[URLPattern] = [
    path("iam/identity-providers/", providers.provider_list, name="provider-list"),
    path("iam/identity-providers/create/", providers.provider_create, name="provider-create"),
    path("iam/identity-providers/replace-metadata/<str:name>/", providers.provider_metadata_replace,
         name="provider-metadata-replace"),
    path("iam/identity-providers/add-audience/<path:name>/", providers.provider_audience_add,
         name="provider-audience-add"),
    path("iam/identity-providers/remove-audience/<path:name>/", providers.provider_audience_remove,
         name="provider-audience-remove"),
    path("iam/identity-providers/thumbprints/<path:name>/", providers.provider_thumbprints_update,
         name="provider-thumbprints"),
    path("iam/identity-providers/delete/<str:kind>/<path:name>/", providers.provider_delete, name="provider-delete"),
    path("iam/identity-providers/<str:kind>/<path:name>/", providers.provider_detail, name="provider-detail"),
    path("iam/trust-graph/", trust_graph.trust_graph, name="trust-graph"),
]
