"""Tenant and API key operations shared by the admin, the platform API and commands."""

import secrets

import structlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ragplatform.exceptions import Conflict, DomainError
from tenants.models import KEY_PREFIX, ApiKey, Tenant, hash_key

log = structlog.get_logger(__name__)

TENANT_FIELDS = {
    "name",
    "slug",
    "data_sovereignty",
    "enabled_routes",
    "provider",
    "chat_model",
    "embedding_model",
    "requests_per_minute",
    "max_retrieval_attempts",
    "max_generation_retries",
    "max_sql_attempts",
    "allow_web_search_outside_au",
    "is_active",
}


class TenantInvalid(DomainError):
    code = "invalid_tenant"


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _save_validated(tenant: Tenant) -> Tenant:
    try:
        tenant.full_clean()
    except ValidationError as exc:
        if (
            "slug" in getattr(exc, "message_dict", {})
            and Tenant.objects.filter(slug=tenant.slug).exclude(pk=tenant.pk).exists()
        ):
            raise Conflict(f"A tenant with slug '{tenant.slug}' already exists.") from exc
        raise TenantInvalid(_validation_message(exc)) from exc
    try:
        with transaction.atomic():
            tenant.save()
    except IntegrityError as exc:
        raise Conflict(f"A tenant with slug '{tenant.slug}' already exists.") from exc
    return tenant


def tenant_create(**fields) -> Tenant:
    """Create a tenant after validating sovereignty, routes and limits."""
    unknown = set(fields) - TENANT_FIELDS
    if unknown:
        raise TenantInvalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    tenant = _save_validated(Tenant(**fields))
    log.info("tenant.created", tenant=tenant.slug, sovereignty=tenant.data_sovereignty)
    return tenant


def tenant_update(*, tenant: Tenant, **fields) -> Tenant:
    """Change a tenant's settings; the same validation as on create."""
    unknown = set(fields) - TENANT_FIELDS
    if unknown:
        raise TenantInvalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(tenant, name, value)
    _save_validated(tenant)
    log.info("tenant.updated", tenant=tenant.slug, fields=sorted(fields))
    return tenant


def tenant_deactivate(*, tenant: Tenant) -> Tenant:
    """Deactivate: its keys stop working at once; its data is kept."""
    tenant.is_active = False
    tenant.save(update_fields=["is_active", "updated_at"])
    log.info("tenant.deactivated", tenant=tenant.slug)
    return tenant


def api_key_issue(*, tenant: Tenant, name: str) -> tuple[ApiKey, str]:
    """Create a key; return the row and the raw key, which is never retrievable again."""
    name = (name or "").strip()
    if not name:
        raise DomainError("A key needs a name (e.g. the app that will use it).")
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        tenant=tenant, name=name[:100], prefix=prefix, key_hash=hash_key(raw)
    )
    log.info("api_key.issued", tenant=tenant.slug, prefix=prefix)
    return key, raw


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    api_key.revoke()
    log.info("api_key.revoked", tenant_id=str(api_key.tenant_id), prefix=api_key.prefix)
    return api_key
