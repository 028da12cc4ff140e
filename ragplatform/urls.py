"""URL routes: the admin, the versioned REST API and its OpenAPI schema."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ragplatform import views
from tenants.tenant_apis import CurrentTenantApi

handler404 = "ragplatform.errors.handler404"
handler500 = "ragplatform.errors.handler500"

# Swagger UI: its script comes from the same URL (the split view, no inline script), but its
# page and components style inline and its icons are data: URLs.
DOCS_CSP = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
}

api_v1 = [
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="docs",
    ),
    path("tenant", CurrentTenantApi.as_view(), name="current-tenant"),
    path("admin/", include("tenants.urls")),
    path("", include("documents.urls")),
    path("", include("agents.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
