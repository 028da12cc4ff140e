"""The one tenant-scoping mechanism: every tenant-owned model inherits TenantOwned.

Selectors read tenant data only through ``Model.objects.for_tenant(tenant)``.
"""

from django.db import models


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, tenant) -> "TenantQuerySet":
        """Rows owned by ``tenant``; refuses to run unscoped."""
        if tenant is None or getattr(tenant, "pk", None) is None:
            raise ValueError("for_tenant() needs a saved tenant; tenant data is never unscoped")
        return self.filter(tenant_id=tenant.pk)


class TenantOwned(models.Model):
    """Abstract base for every row that belongs to one tenant."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
