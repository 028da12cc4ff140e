"""Shared fixtures: two tenants by default, so the second one's data is there to be leaked."""

import os

import pytest
from rest_framework.test import APIClient

from tenants.services import api_key_issue, tenant_create
from tests.fakes.fixtures import (  # noqa: F401 (fixtures: loopback-only network, fakes)
    fake_bedrock,
    fake_openai,
    loopback_only,
    provider_settings,
)

ADMIN_KEY = "test-admin-key-0123456789"


@pytest.fixture
def tenant_a(db):
    return tenant_create(name="Tenant A", slug="tenant-a")


@pytest.fixture
def tenant_b(db):
    return tenant_create(name="Tenant B", slug="tenant-b")


@pytest.fixture
def tenant_au(db):
    return tenant_create(name="EA", slug="ea-test", data_sovereignty="AU", provider="local")


def client_for(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@pytest.fixture
def key_a(tenant_a):
    return api_key_issue(tenant=tenant_a, name="app-a")[1]


@pytest.fixture
def key_b(tenant_b):
    return api_key_issue(tenant=tenant_b, name="app-b")[1]


@pytest.fixture
def client_a(key_a):
    return client_for(key_a)


@pytest.fixture
def client_b(key_b):
    return client_for(key_b)


@pytest.fixture
def admin_api(db, settings):
    settings.ADMIN_API_KEY = ADMIN_KEY
    return client_for(ADMIN_KEY)


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """A test database per pytest process, so parallel runs on one server never collide."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"test_rag_{os.getpid()}"
    # Live-server threads must not keep connections open, or the test database can't be dropped.
    database["CONN_MAX_AGE"] = 0
