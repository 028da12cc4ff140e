"""Health, readiness, OpenAPI and the JSON error contract."""

import json
import logging

import pytest
from django.db.utils import OperationalError
from django.test import Client

from ragplatform import logging as rag_logging

pytestmark = pytest.mark.django_db


def test_health(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_database(client):
    assert client.get("/api/v1/ready").json() == {"status": "ready"}


def test_ready_is_503_when_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("ragplatform.views.connection.cursor", broken_cursor)
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


def test_openapi_schema_lists_the_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert "/api/v1/admin/tenants" in paths
    assert "/api/v1/health" in paths


def test_api_docs_page_serves_offline_assets(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"cdn.jsdelivr" not in response.content


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unexpected_error_is_json_500_without_traceback(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("ragplatform.views.connection.cursor", explode)
    response = Client(raise_request_exception=False).get("/api/v1/ready")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_request_log_line_has_request_id_tenant_path_status_duration(client_a, caplog):
    caplog.set_level(logging.INFO, logger="ragplatform.logging")
    response = client_a.get("/api/v1/tenant", HTTP_X_REQUEST_ID="req-123")
    assert response["X-Request-ID"] == "req-123"
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    line = next(e for e in events if e.get("event") == "http.request")
    assert line["request_id"] == "req-123"
    assert line["tenant"] == "tenant-a"
    assert line["path"] == "/api/v1/tenant"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0


def test_log_formatter_emits_one_json_object_per_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("message",), None)
    rendered = rag_logging.json_formatter().format(record)
    parsed = json.loads(rendered)
    assert parsed["event"] == "plain message"
    assert parsed["level"] == "info"
    assert "timestamp" in parsed


def test_openapi_schema_is_valid_and_complete_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for path in ("/api/v1/query", "/api/v1/documents", "/api/v1/admin/tenants/{slug}/keys"):
        assert f"{path}:" in schema
    assert "TenantApiKey" in schema and "PlatformAdminKey" in schema


def test_a_worker_warms_up_at_start_without_touching_the_database():
    """ragplatform.wsgi runs this before a worker serves: every route set's graph compiled
    and the URL configuration imported, so no question waits for them. No `db` fixture: any
    database access here would fail the test."""
    from django.urls import clear_url_caches, get_resolver

    from agents.adaptive_rag import compiled_adaptive
    from ragplatform.warmup import warm_up

    compiled_adaptive.cache_clear()
    clear_url_caches()
    assert "url_patterns" not in get_resolver().__dict__
    warm_up()
    assert compiled_adaptive.cache_info().currsize == 7
    assert "url_patterns" in get_resolver().__dict__  # resolved, not pending until a request
