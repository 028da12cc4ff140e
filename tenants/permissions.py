"""Who may call what: tenant apps call tenant endpoints, the platform admin the admin API."""

from rest_framework.permissions import BasePermission

from tenants.authentication import PlatformAdmin, TenantPrincipal


class IsTenantApp(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, TenantPrincipal)


class IsPlatformAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, PlatformAdmin)
