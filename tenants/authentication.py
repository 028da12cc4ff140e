"""Bearer-key authentication: tenant apps (API keys) and the platform admin (ADMIN_API_KEY)."""

import hmac
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions

from tenants import row_security
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


# The key and its tenant in one statement, read as the ORM reads rows (each field's
# converters, then Model.from_db). The key is read before its tenant is known, so through
# tenant_api_key_by_prefix (tenants/migrations/0005): the one row with that prefix, past
# row-level security. Raw SQL: building the select_related query cost about twice
# the query itself, and RawQuerySet about as much again, on every API request.
def _converters(model) -> list[tuple[int, list, object]]:
    converters = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return converters


@cache
def _key_reader():
    models = (Tenant, ApiKey)
    columns = [
        f'{alias}."{field.column}"'
        for model, alias in zip(models, ("t", "k"), strict=True)
        for field in model._meta.concrete_fields
    ]
    # Column names come from the models, never from a request; the prefix is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM tenant_api_key_by_prefix(%s) k "  # noqa: S608
        "JOIN tenants_tenant t ON t.id = k.tenant_id"
    )
    attnames = [[f.attname for f in model._meta.concrete_fields] for model in models]
    return sql, list(zip(models, attnames, map(_converters, models), strict=True))


def _instance(model, attnames: list[str], values: list, converters):
    for index, functions, column in converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, attnames, values)


def api_key_for_prefix(prefix: str) -> ApiKey | None:
    """The API key with this (unique) prefix, its tenant loaded, or None."""
    sql, readers = _key_reader()
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for model, attnames, converters in readers:
        end = start + len(attnames)
        instances.append(_instance(model, attnames, list(row[start:end]), converters))
        start = end
    tenant, key = instances
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
        # From here until the response is ready the database shows only this tenant's rows.
        row_security.enter_for_request(request, row_security.Scope(tenant_id=str(key.tenant_id)))
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
        row_security.all_tenants_audit(
            actor="platform-admin-api", reason=f"{request.method} {request.path}"
        )
        row_security.enter_for_request(request, row_security.Scope(all_tenants=True))
        return PlatformAdmin(), None

    def authenticate_header(self, request):
        return 'Bearer realm="admin"'
