"""Tenant isolation enforced by PostgreSQL: row-level security on every tenant-owned table.

These tests connect as the app role (tests/conftest.py) and leave the suite's default
operator scope (`no_default_scope`), so what they see is what the web app and the worker
see: a query with no tenant filter at all still returns one tenant's rows, or none."""

import json
import logging

import pytest
from django.conf import settings
from django.core.checks import ERROR, WARNING
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import isolate_apps

from documents.models import Chunk, Document
from documents.services import document_ingest
from documents.tasks import ingest_document
from ragplatform.logging import json_formatter
from tenants import checks, row_security
from tenants.checks import app_role_problems
from tenants.row_security import all_tenants_scope, tenant_scope, tenant_transaction
from tenants.scoping import TenantOwned
from tests.data.pdf_factory import filler, make_pdf
from tests.fixtures.documents import upload_pdf

pytestmark = pytest.mark.django_db

# Deliberately unscoped: no WHERE tenant_id, the kind of statement a bug would write.
EVERY_CHUNK_TENANT = "SELECT DISTINCT tenant_id FROM documents_chunk"


def tenants_seen(sql: str = EVERY_CHUNK_TENANT) -> set:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def audit_events(caplog) -> list[dict]:
    formatter = json_formatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if isinstance(record.msg, dict)
        and record.msg.get("event") == "tenant_isolation.all_tenants"
    ]


@pytest.fixture
def no_default_scope(db, monkeypatch):
    """This connection as the web app's and the worker's are: no scope unless entered."""
    monkeypatch.setattr(row_security, "_process_default", row_security.NO_SCOPE)
    row_security._apply(connection, row_security.NO_SCOPE)
    yield
    monkeypatch.undo()
    row_security._apply(connection, row_security.current_scope())


@pytest.fixture
def a_ingested(tenant_a):
    pdf = make_pdf([["# Tenant A annual report", *filler("copper")]], title="A report")
    return upload_and_ingest(tenant_a, pdf)


def upload_and_ingest(tenant, pdf: bytes) -> Document:
    document = upload_pdf(tenant, pdf, name=f"{tenant.slug}.pdf")
    document_ingest(document_id=document.pk)
    return document


def test_the_suite_connects_as_a_role_row_level_security_restricts(db):
    assert connection.settings_dict["USER"] == "rag_app"
    assert app_role_problems("default") == []


def test_an_unscoped_query_in_a_tenants_scope_returns_only_its_rows(
    a_ingested, neighbour, no_default_scope
):
    with tenant_scope(a_ingested.tenant):
        assert tenants_seen() == {a_ingested.tenant_id}
        assert tenants_seen("SELECT DISTINCT tenant_id FROM documents_document") == {
            a_ingested.tenant_id
        }
        assert Chunk.objects.exclude(tenant=a_ingested.tenant).count() == 0
    with tenant_scope(neighbour.tenant):
        assert tenants_seen() == {neighbour.tenant.pk}


def test_with_no_tenant_set_an_unscoped_query_returns_no_rows(
    a_ingested, neighbour, no_default_scope
):
    assert tenants_seen() == set()
    for table in checks.tenant_owned_models():
        assert table.objects.count() == 0, table
    # The full-text view applies the same rule.
    assert tenants_seen("SELECT DISTINCT tenant_id FROM documents_chunk_text") == set()


def test_the_full_text_view_shows_only_the_scopes_tenant(a_ingested, neighbour, no_default_scope):
    with tenant_scope(neighbour.tenant):
        assert tenants_seen("SELECT DISTINCT tenant_id FROM documents_chunk_text") == {
            neighbour.tenant.pk
        }


def test_a_tenant_cannot_write_another_tenants_row(a_ingested, tenant_b, no_default_scope):
    with (
        tenant_scope(tenant_b),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
    ):
        Document.objects.create(tenant=a_ingested.tenant, filename="x.pdf", sha256="0" * 64)
    with tenant_scope(tenant_b):
        assert Document.objects.filter(pk=a_ingested.pk).update(title="taken") == 0
        assert Document.objects.filter(pk=a_ingested.pk).delete()[0] == 0
    with tenant_scope(a_ingested.tenant):
        assert Document.objects.get(pk=a_ingested.pk).title == "A report"


def test_the_operator_path_sees_every_tenant_and_is_audited(
    a_ingested, neighbour, caplog, no_default_scope
):
    caplog.set_level(logging.INFO, logger="tenants.row_security")
    with all_tenants_scope(actor="ops:alice", reason="incident 42"):
        assert tenants_seen() == {a_ingested.tenant_id, neighbour.tenant.pk}
    assert tenants_seen() == set()
    (event,) = audit_events(caplog)
    assert event["actor"] == "ops:alice"
    assert event["reason"] == "incident 42"


def test_scopes_nest_and_restore_the_outer_one(a_ingested, neighbour, no_default_scope):
    with all_tenants_scope(actor="test", reason="nesting"):
        with tenant_scope(neighbour.tenant):
            assert tenants_seen() == {neighbour.tenant.pk}
        assert tenants_seen() == {a_ingested.tenant_id, neighbour.tenant.pk}
    assert tenants_seen() == set()


def test_the_app_role_cannot_switch_row_level_security_off(db, no_default_scope):
    for statement in (
        "ALTER TABLE documents_chunk DISABLE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON documents_chunk",
        "CREATE POLICY everything ON documents_chunk USING (true)",
    ):
        with pytest.raises(DatabaseError, match="must be owner"), connection.cursor() as cursor:
            cursor.execute("SAVEPOINT s")
            try:
                cursor.execute(statement)
            finally:
                cursor.execute("ROLLBACK TO SAVEPOINT s")


# A transaction of its own (the suite's tests otherwise run inside one): SET LOCAL lasts
# until the outermost transaction ends.
@pytest.mark.django_db(transaction=True)
def test_a_tenant_transaction_binds_the_tenant_for_that_transaction_only(
    a_ingested, neighbour, no_default_scope
):
    with tenant_transaction(neighbour.tenant, read_only=True) as cursor:
        cursor.execute(EVERY_CHUNK_TENANT)
        assert {row[0] for row in cursor.fetchall()} == {neighbour.tenant.pk}
        cursor.execute("SAVEPOINT s")
        with pytest.raises(DatabaseError, match="read-only"):
            cursor.execute("DELETE FROM documents_chunk")
        cursor.execute("ROLLBACK TO SAVEPOINT s")
    assert tenants_seen() == set()


# --- requests: the scope never outlives its request ---------------------------------------


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def settings_now() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('app.tenant_id', true), "
            "current_setting('app.all_tenants', true)"
        )
        return tuple(value or "" for value in cursor.fetchone())


def test_a_tenant_request_leaves_no_tenant_on_the_persistent_connection(
    a_ingested, client_a, no_default_scope
):
    pid = backend_pid()
    assert client_a.get("/api/v1/documents").json()["count"] == 1
    assert backend_pid() == pid  # the same connection served the request
    assert settings_now() == ("", "")
    assert tenants_seen() == set()


def test_the_scope_ends_even_when_the_view_raises(
    a_ingested, client_a, monkeypatch, no_default_scope
):
    def crash(**kwargs):
        raise RuntimeError("view crashed")

    monkeypatch.setattr("documents.apis.selectors.document_list", crash)
    assert client_a.get("/api/v1/documents").status_code == 500
    assert settings_now() == ("", "")


def test_the_next_request_on_the_connection_sees_only_its_own_tenant(
    a_ingested, client_a, client_b, no_default_scope
):
    assert client_a.get("/api/v1/documents").json()["count"] == 1
    assert client_b.get("/api/v1/documents").json()["count"] == 0
    assert client_b.get(f"/api/v1/documents/{a_ingested.pk}").status_code == 404


def test_the_admin_is_the_audited_operator_path(
    a_ingested, neighbour, admin_client, caplog, no_default_scope
):
    caplog.set_level(logging.INFO, logger="tenants.row_security")
    response = admin_client.get("/admin/documents/document/")
    assert response.status_code == 200
    assert a_ingested.filename.encode() in response.content
    assert neighbour.document.filename.encode() in response.content
    (event,) = audit_events(caplog)
    assert event["actor"] == "admin:admin"
    assert event["reason"] == "GET /admin/documents/document/"
    assert settings_now() == ("", "")


def test_the_platform_admin_api_is_the_audited_operator_path(
    admin_api, tenant_a, caplog, no_default_scope
):
    caplog.set_level(logging.INFO, logger="tenants.row_security")
    response = admin_api.post("/api/v1/admin/tenants/tenant-a/keys", {"name": "ci"}, format="json")
    assert response.status_code == 201
    (event,) = audit_events(caplog)
    assert event["actor"] == "platform-admin-api"
    assert settings_now() == ("", "")


# --- tasks --------------------------------------------------------------------------------


def test_the_ingestion_task_runs_in_its_documents_tenant_scope(tenant_a, no_default_scope):
    with tenant_scope(tenant_a):
        document = upload_pdf(tenant_a, make_pdf([filler("task")], title="task"))
    assert ingest_document.call(document_id=str(document.pk), tenant_id=str(tenant_a.pk)) == (
        "ready"
    )
    with tenant_scope(tenant_a):
        assert Chunk.objects.filter(document=document).exists()
    assert settings_now() == ("", "")


def test_a_task_queued_without_its_tenant_finds_it_on_the_audited_path(
    tenant_a, caplog, no_default_scope
):
    caplog.set_level(logging.INFO, logger="tenants.row_security")
    with tenant_scope(tenant_a):
        document = upload_pdf(tenant_a, make_pdf([filler("legacy")], title="legacy"))
    assert ingest_document.call(document_id=str(document.pk)) == "ready"
    reasons = [event["reason"] for event in audit_events(caplog)]
    assert f"tenant of document {document.pk}" in reasons


# --- every tenant-owned table, now and later ----------------------------------------------


def test_every_tenant_owned_table_has_the_policy(db):
    assert {m._meta.db_table for m in checks.tenant_owned_models()} >= {
        "documents_document",
        "documents_documentpage",
        "documents_chunk",
        "agents_queryrun",
        "tenants_apikey",
        "documents_table",
        "documents_tablecell",
    }
    assert checks.tables_without_policy() == []
    assert checks.row_security_migrations_check() == []
    call_command("check", databases=["default"], fail_level="WARNING")


@isolate_apps("documents")
def test_a_new_tenant_owned_model_without_row_security_fails_the_check(monkeypatch):
    class Ledger(TenantOwned):
        class Meta:
            app_label = "documents"

    monkeypatch.setattr(checks, "tenant_owned_models", lambda: [Ledger])
    (error,) = checks.row_security_migrations_check()
    assert error.id == "tenants.E001"
    assert "EnableRowSecurity('Ledger')" in error.hint


def test_the_owner_connection_is_not_the_apps(db):
    owner = connections["owner"]
    assert owner.settings_dict["USER"] != connection.settings_dict["USER"]


def test_an_unrestricted_app_role_is_an_error_once_an_owner_is_configured(monkeypatch):
    monkeypatch.setattr(checks, "app_role_problems", lambda using: ["rag is a superuser"])
    (problem,) = checks.app_role_check(databases=["default"])
    assert (problem.id, problem.level) == ("ragplatform.E010", ERROR)


def test_before_the_roles_are_split_an_unrestricted_app_role_only_warns(monkeypatch):
    # A deployment still connecting as the owner (no DATABASE_OWNER_URL) keeps migrating.
    monkeypatch.setattr(checks, "app_role_problems", lambda using: ["rag owns 7 table(s)"])
    without_owner = {alias: db for alias, db in settings.DATABASES.items() if alias != "owner"}
    monkeypatch.setattr(settings, "DATABASES", without_owner)
    (problem,) = checks.app_role_check(databases=["default"])
    assert (problem.id, problem.level) == ("ragplatform.W010", WARNING)


def test_migrate_connecting_as_the_owner_is_not_reported(monkeypatch):
    monkeypatch.setattr(checks, "app_role_problems", lambda using: ["rag owns 7 table(s)"])
    owner_user = settings.DATABASES["owner"]["USER"]
    monkeypatch.setitem(connections["default"].settings_dict, "USER", owner_user)
    assert checks.app_role_check(databases=["default"]) == []
