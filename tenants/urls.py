from django.urls import path

from tenants import apis

urlpatterns = [
    path("tenants", apis.TenantListCreateApi.as_view(), name="admin-tenants"),
    path("tenants/<slug:slug>", apis.TenantDetailApi.as_view(), name="admin-tenant"),
    path("tenants/<slug:slug>/keys", apis.KeyListCreateApi.as_view(), name="admin-tenant-keys"),
    path(
        "tenants/<slug:slug>/keys/<uuid:key_id>",
        apis.KeyRevokeApi.as_view(),
        name="admin-tenant-key",
    ),
]
