"""Per-tenant request limits, counted atomically in PostgreSQL so every process agrees."""

import time

from django.db import connection
from rest_framework.throttling import BaseThrottle

from tenants.authentication import TenantPrincipal

WINDOW_SECONDS = 60

_COUNT = """
INSERT INTO tenants_requestcounter (tenant_id, "window", count)
VALUES (%s, %s, 1)
ON CONFLICT (tenant_id, "window") DO UPDATE SET count = tenants_requestcounter.count + 1
RETURNING count
"""


def tenant_request_count(*, tenant, window: int) -> int:
    """Count one request in ``window``; return the window's total (one atomic statement)."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [tenant.pk, window])
        count = cursor.fetchone()[0]
        if count == 1:  # first request of a window: forget this tenant's old windows
            cursor.execute(
                'DELETE FROM tenants_requestcounter WHERE tenant_id = %s AND "window" < %s',
                [tenant.pk, window - 1],
            )
    return count


class TenantRateThrottle(BaseThrottle):
    """Fixed one-minute windows of the tenant's requests_per_minute."""

    def allow_request(self, request, view) -> bool:
        principal = request.user
        if not isinstance(principal, TenantPrincipal):
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        self._wait = (window + 1) * WINDOW_SECONDS - now
        count = tenant_request_count(tenant=principal.tenant, window=window)
        return count <= principal.tenant.requests_per_minute

    def wait(self) -> float:
        return max(1.0, round(self._wait))
