"""URL routes: the admin, the versioned REST API and its OpenAPI schema."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ragplatform import views
from tenants.tenant_apis import CurrentTenantApi

handler404 = "ragplatform.errors.handler404"
handler500 = "ragplatform.errors.handler500"

api_v1 = [
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("tenant", CurrentTenantApi.as_view(), name="current-tenant"),
    path("admin/", include("tenants.urls")),
    path("", include("documents.urls")),
    path("", include("agents.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
