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


# The key and its tenant in one statement. A raw query: building the ORM's select_related
# query cost twice the query itself on every API request. Tenant.objects.raw still converts
# each tenant column as the ORM does; the key's columns come back as key_* attributes.
_KEY_SQL = """
SELECT t.*, k.id AS key_id, k.name AS key_name, k.key_hash AS key_key_hash,
       k.created_at AS key_created_at, k.last_used_at AS key_last_used_at,
       k.revoked_at AS key_revoked_at
FROM tenants_apikey k JOIN tenants_tenant t ON t.id = k.tenant_id
WHERE k.prefix = %s
"""
_KEY_COLUMNS = ("id", "name", "key_hash", "created_at", "last_used_at", "revoked_at")


def api_key_for_prefix(prefix: str) -> ApiKey | None:
    """The API key with this (unique) prefix, its tenant loaded, or None."""
    tenant = next(iter(Tenant.objects.raw(_KEY_SQL, [prefix])), None)
    if tenant is None:
        return None
    row = {name: tenant.__dict__.pop(f"key_{name}") for name in _KEY_COLUMNS}
    row |= {"tenant_id": tenant.pk, "prefix": prefix}
    fields = ApiKey._meta.concrete_fields  # from_db takes the values in this order
    key = ApiKey.from_db(
        tenant._state.db, [f.attname for f in fields], [row[f.attname] for f in fields]
    )
    key.tenant = tenant
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = _bearer(request)
        if raw is None:
            return None
        prefix = parse_key_prefix(raw)
        key = api_key_for_prefix(prefix) if prefix else None
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
