"""Platform-admin API: tenants and keys by script, authenticated with ADMIN_API_KEY."""

import pytest
from rest_framework.test import APIClient

from tenants.models import Tenant
from tests.fixtures.tenants import client_for

pytestmark = pytest.mark.django_db


def test_create_tenant_returns_201(admin_api):
    response = admin_api.post(
        "/api/v1/admin/tenants",
        {
            "name": "Beta",
            "slug": "beta",
            "data_sovereignty": "",
            "enabled_routes": ["financial_docs"],
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "beta"
    assert body["enabled_routes"] == ["financial_docs"]
    assert body["is_active"] is True


def test_create_au_tenant_with_openai_is_rejected(admin_api):
    response = admin_api.post(
        "/api/v1/admin/tenants",
        {"name": "EA", "slug": "ea2", "data_sovereignty": "AU", "provider": "openai"},
        format="json",
    )
    assert response.status_code == 400
    assert "OpenAI" in response.json()["error"]["message"]
    assert not Tenant.objects.filter(slug="ea2").exists()


def test_au_tenant_web_search_needs_explicit_consent(admin_api):
    payload = {"name": "EA", "slug": "ea3", "data_sovereignty": "AU", "provider": "bedrock"}
    refused = admin_api.post(
        "/api/v1/admin/tenants",
        {**payload, "enabled_routes": ["financial_docs", "web_search"]},
        format="json",
    )
    assert refused.status_code == 400
    allowed = admin_api.post(
        "/api/v1/admin/tenants",
        {
            **payload,
            "enabled_routes": ["financial_docs", "web_search"],
            "allow_web_search_outside_au": True,
        },
        format="json",
    )
    assert allowed.status_code == 201


def test_unknown_route_is_400(admin_api):
    response = admin_api.post(
        "/api/v1/admin/tenants",
        {"name": "X", "slug": "x", "enabled_routes": ["telepathy"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_duplicate_slug_is_409(admin_api, tenant_a):
    response = admin_api.post(
        "/api/v1/admin/tenants", {"name": "A again", "slug": "tenant-a"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_list_and_get_tenants(admin_api, tenant_a, tenant_b):
    slugs = [t["slug"] for t in admin_api.get("/api/v1/admin/tenants").json()["results"]]
    assert slugs == ["neighbour", "tenant-a", "tenant-b"]  # every tenant, the neighbour too
    assert admin_api.get("/api/v1/admin/tenants/tenant-b").json()["name"] == "Tenant B"
    assert admin_api.get("/api/v1/admin/tenants/nope").status_code == 404


def test_patch_tenant_validates_like_create(admin_api, tenant_a):
    ok = admin_api.patch(
        "/api/v1/admin/tenants/tenant-a", {"requests_per_minute": 5}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["requests_per_minute"] == 5
    bad = admin_api.patch(
        "/api/v1/admin/tenants/tenant-a",
        {"data_sovereignty": "AU", "provider": "openai"},
        format="json",
    )
    assert bad.status_code == 400
    tenant_a.refresh_from_db()
    assert tenant_a.data_sovereignty == ""


def test_delete_deactivates_and_keys_stop_working(admin_api, tenant_a, key_a):
    response = admin_api.delete("/api/v1/admin/tenants/tenant-a")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert Tenant.objects.filter(slug="tenant-a").exists()
    assert client_for(key_a).get("/api/v1/tenant").status_code == 401


def test_issue_key_shows_it_once_and_it_works(admin_api, tenant_a):
    response = admin_api.post("/api/v1/admin/tenants/tenant-a/keys", {"name": "app"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "prefix", "key"}
    assert client_for(body["key"]).get("/api/v1/tenant").json()["slug"] == "tenant-a"
    listed = admin_api.get("/api/v1/admin/tenants/tenant-a/keys").json()["results"]
    assert [k["prefix"] for k in listed] == [body["prefix"]]
    assert "key" not in listed[0]


def test_revoke_key(admin_api, tenant_a):
    created = admin_api.post(
        "/api/v1/admin/tenants/tenant-a/keys", {"name": "app"}, format="json"
    ).json()
    response = admin_api.delete(f"/api/v1/admin/tenants/tenant-a/keys/{created['id']}")
    assert response.status_code == 204
    assert client_for(created["key"]).get("/api/v1/tenant").status_code == 401


def test_cannot_revoke_another_tenants_key_through_own_slug(admin_api, tenant_a, tenant_b):
    created = admin_api.post(
        "/api/v1/admin/tenants/tenant-b/keys", {"name": "b"}, format="json"
    ).json()
    response = admin_api.delete(f"/api/v1/admin/tenants/tenant-a/keys/{created['id']}")
    assert response.status_code == 404
    assert client_for(created["key"]).get("/api/v1/tenant").status_code == 200


def test_wrong_admin_key_is_401(admin_api):
    response = client_for("wrong").get("/api/v1/admin/tenants")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_admin_api_disabled_without_admin_key(db, settings):
    settings.ADMIN_API_KEY = ""
    response = client_for("anything").get("/api/v1/admin/tenants")
    assert response.status_code == 401
    assert "ADMIN_API_KEY" in response.json()["error"]["message"]


def test_no_credentials_is_401(db):
    assert APIClient().get("/api/v1/admin/tenants").status_code == 401


def test_create_with_missing_fields_is_400(admin_api):
    response = admin_api.post("/api/v1/admin/tenants", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"name", "slug"}
