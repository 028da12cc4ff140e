"""Bearer-key authentication: tenant apps (API keys) and the platform admin (ADMIN_API_KEY)."""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from tenants.models import ApiKey, Tenant, hash_key, parse_key_prefix

LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TenantPrincipal:
    """Who a tenant API request acts as: the tenant from its key, never from the request."""

    tenant: Tenant
    api_key: ApiKey
    is_authenticated: bool = True

    @property
    def pk(self):
        return self.api_key.pk


@dataclass(frozen=True)
class PlatformAdmin:
    is_authenticated: bool = True
    tenant: None = None


def _bearer(request) -> str | None:
    header = authentication.get_authorization_header(request).decode("latin-1").strip()
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <key>'.")
    return token.strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = _bearer(request)
        if raw is None:
            return None
        prefix = parse_key_prefix(raw)
        key = None
        if prefix:
            key = ApiKey.objects.select_related("tenant").filter(prefix=prefix).first()
        if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw)):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if key.is_revoked:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if not key.tenant.is_active:
            raise exceptions.AuthenticationFailed("This tenant is deactivated.")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return TenantPrincipal(tenant=key.tenant, api_key=key), key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class PlatformAdminAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = _bearer(request)
        if raw is None:
            return None
        expected = settings.ADMIN_API_KEY
        if not expected:
            raise exceptions.AuthenticationFailed(
                "The platform admin API is disabled: ADMIN_API_KEY is not set."
            )
        if not hmac.compare_digest(raw.encode(), expected.encode()):
            raise exceptions.AuthenticationFailed("Invalid admin key.")
        return PlatformAdmin(), None

    def authenticate_header(self, request):
        return 'Bearer realm="admin"'
