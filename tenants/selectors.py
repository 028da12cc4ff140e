"""Reads of tenants and keys."""

from ragplatform.exceptions import NotFound
from tenants.models import ApiKey, Tenant


def tenant_list():
    return Tenant.objects.all()


def tenant_get(*, slug: str) -> Tenant:
    try:
        return Tenant.objects.get(slug=slug)
    except Tenant.DoesNotExist:
        raise NotFound(f"No tenant with slug '{slug}'.") from None


def api_key_list(*, tenant: Tenant):
    return ApiKey.objects.for_tenant(tenant)


def api_key_get(*, tenant: Tenant, key_id) -> ApiKey:
    try:
        return ApiKey.objects.for_tenant(tenant).get(pk=key_id)
    except (ApiKey.DoesNotExist, ValueError):
        raise NotFound("No such API key for this tenant.") from None
