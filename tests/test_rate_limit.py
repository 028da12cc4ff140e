"""Per-tenant rate limits: shared counter in PostgreSQL, 429 with Retry-After, per tenant."""

import pytest

from tenants.services import tenant_update
from tenants.throttling import tenant_request_count

pytestmark = pytest.mark.django_db


def test_requests_over_the_limit_get_429_with_retry_after(tenant_a, client_a):
    tenant_update(tenant=tenant_a, requests_per_minute=2)
    assert client_a.get("/api/v1/tenant").status_code == 200
    assert client_a.get("/api/v1/tenant").status_code == 200
    response = client_a.get("/api/v1/tenant")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_one_tenant_exhausting_its_limit_does_not_limit_another(tenant_a, client_a, client_b):
    tenant_update(tenant=tenant_a, requests_per_minute=1)
    client_a.get("/api/v1/tenant")
    assert client_a.get("/api/v1/tenant").status_code == 429
    assert client_b.get("/api/v1/tenant").status_code == 200


def test_counter_is_per_window_and_forgets_old_windows(tenant_a):
    assert tenant_request_count(tenant=tenant_a, window=100) == 1
    assert tenant_request_count(tenant=tenant_a, window=100) == 2
    assert tenant_request_count(tenant=tenant_a, window=101) == 1
    assert tenant_request_count(tenant=tenant_a, window=103) == 1
    from tenants.models import RequestCounter

    assert sorted(RequestCounter.objects.values_list("window", flat=True)) == [103]
