"""API-key authentication: a key acts only as its own tenant; bad keys get a JSON 401."""

import pytest
from rest_framework.test import APIClient

from tenants.models import ApiKey
from tenants.services import api_key_revoke, tenant_deactivate
from tests.fixtures.tenants import client_for

pytestmark = pytest.mark.django_db


def test_key_of_tenant_a_acts_as_tenant_a(client_a, tenant_b):
    response = client_a.get("/api/v1/tenant")
    assert response.status_code == 200
    assert response.json()["slug"] == "tenant-a"


def test_each_key_resolves_only_to_its_own_tenant(key_a, key_b):
    assert client_for(key_a).get("/api/v1/tenant").json()["slug"] == "tenant-a"
    assert client_for(key_b).get("/api/v1/tenant").json()["slug"] == "tenant-b"


def test_missing_key_is_401_json(db):
    response = APIClient().get("/api/v1/documents")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-key", "Bearer rag_short_x", "Token abc"],
)
def test_malformed_or_unknown_key_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/documents")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_key_with_right_prefix_but_wrong_secret_is_401(key_a):
    forged = key_a[: key_a.rindex("_") + 1] + "x" * 43
    response = client_for(forged).get("/api/v1/tenant")
    assert response.status_code == 401


def test_revoked_key_is_401(tenant_a, key_a):
    api_key_revoke(api_key=ApiKey.objects.for_tenant(tenant_a).get())
    response = client_for(key_a).get("/api/v1/tenant")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_inactive_tenant_key_is_401(tenant_a, key_a):
    tenant_deactivate(tenant=tenant_a)
    response = client_for(key_a).get("/api/v1/tenant")
    assert response.status_code == 401
    assert "deactivated" in response.json()["error"]["message"]


def test_key_is_stored_only_as_hash(tenant_a, key_a):
    stored = ApiKey.objects.for_tenant(tenant_a).get()
    assert key_a not in (stored.key_hash, stored.prefix)
    assert key_a.startswith(f"rag_{stored.prefix}_")


def test_use_records_last_used(tenant_a, client_a):
    client_a.get("/api/v1/tenant")
    assert ApiKey.objects.for_tenant(tenant_a).get().last_used_at is not None


def test_tenant_key_cannot_use_platform_admin_api(admin_api, client_a):
    response = client_a.get("/api/v1/admin/tenants")
    assert response.status_code == 401


def test_admin_key_is_not_a_tenant_key(admin_api):
    assert admin_api.get("/api/v1/tenant").status_code == 401


def test_for_tenant_refuses_to_run_unscoped(db):
    with pytest.raises(ValueError, match="never unscoped"):
        ApiKey.objects.for_tenant(None)


def test_key_lookup_loads_the_stored_key_and_its_tenant(tenant_a, key_a):
    from tenants.authentication import api_key_for_prefix
    from tenants.models import ApiKey, parse_key_prefix

    found = api_key_for_prefix(parse_key_prefix(key_a))
    stored = ApiKey.objects.get(tenant=tenant_a)
    assert [getattr(found, f.attname) for f in ApiKey._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in ApiKey._meta.concrete_fields
    ]
    assert found.tenant == tenant_a and found.tenant.enabled_routes == tenant_a.enabled_routes
    assert not found._state.adding and not hasattr(found.tenant, "key_hash")
    assert api_key_for_prefix("000000000000") is None
