"""OpenAPI descriptions of the two bearer schemes (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.authentication.ApiKeyAuthentication"
    name = "TenantApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A tenant API key: `Authorization: Bearer rag_<prefix>_<secret>`.",
        }


class AdminKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.authentication.PlatformAdminAuthentication"
    name = "PlatformAdminKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The platform's ADMIN_API_KEY.",
        }
