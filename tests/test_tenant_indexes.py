"""Per-tenant vector indexes: built once a tenant is large and a minority of the rows, used
by the planner for that tenant's queries only, rebuilt when a build died, pruned when the
tenant is gone, and built by the real worker after ingestion."""

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction

from documents.models import Chunk, Document
from documents.retrieval import hybrid_search
from documents.tenant_indexes import (
    index_name,
    tenant_index_names,
    tenant_index_state,
    tenant_vector_index_ensure,
    text_index_name,
)
from providers.local_provider import LocalHashEmbedder
from tests.data.pdf_factory import filler, make_pdf

from .worker import db_worker, wait_until

# The owner's connection builds the indexes (documents/tenant_indexes.py).
pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "owner"]),
    pytest.mark.timeout(240),
]

WORDS = "revenue margin copper lithium debt lease tax cash equity growth".split()


def add_chunks(tenant, count: int, *, seed: int) -> Document:
    embedder = LocalHashEmbedder()
    rng = random.Random(seed)
    document = Document.objects.create(
        tenant=tenant,
        title=f"{tenant.slug} report",
        filename="r.pdf",
        sha256=f"{seed:064x}",
        bytes=1,
        status="ready",
    )
    rows = []
    for ordinal in range(count):
        text = f"{tenant.slug} marker{ordinal} " + " ".join(rng.choice(WORDS) for _ in range(30))
        rows.append(
            Chunk(
                tenant=tenant,
                document=document,
                ordinal=ordinal,
                page_start=ordinal + 1,
                page_end=ordinal + 1,
                text=text,
                embedding=embedder._embed(text),
                embedding_model=embedder.model_id,
            )
        )
    Chunk.objects.bulk_create(rows, batch_size=500)
    return document


def state(tenant):
    with connection.cursor() as cursor:
        return tenant_index_state(cursor, tenant.pk, exact=True)


def vector_plan(tenant) -> str:
    """The plan of hybrid_search's vector query for the tenant (literal tenant id, as Django's
    psycopg cursor sends it)."""
    from documents.retrieval.sql import VECTOR_SQL, vector_literal

    params = {
        "tenant": tenant.pk,
        "model": LocalHashEmbedder().model_id,
        "vector": vector_literal(LocalHashEmbedder().embed_query("copper margin")),
        "not_ready": [],
        "document_ids": None,
        "limit": 40,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # As on a large table, where sorting the tenant's rows costs more than an index walk:
        # the choice left is which HNSW index (bench/retrieval.py shows it at 100k rows).
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + VECTOR_SQL, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def text_plan(tenant) -> str:
    """The plan of the full-text leg (its term counts and candidates) for the tenant."""
    from documents.retrieval import DEFAULT_PARAMS
    from documents.retrieval.sql import TEXT_SQL
    from documents.retrieval.text import text_params

    params = {"tenant": tenant.pk, "not_ready": [], "document_ids": None, "limit": 40}
    params |= text_params(["marker7"], [], 100, DEFAULT_PARAMS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_chunk")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + TEXT_SQL, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def threshold(settings):
    settings.TENANT_VECTOR_INDEX_MIN_CHUNKS = 50
    return 50


@pytest.fixture(autouse=True)
def drop_tenant_indexes():
    """Flushing the tables between tests keeps indexes: drop the per-tenant ones (as their
    owner, the tables')."""
    yield
    with connections["owner"].cursor() as cursor:
        for name in tenant_index_names():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def test_a_large_minority_tenant_gets_its_own_index_and_its_queries_use_it(
    tenant_a, tenant_b, threshold
):
    add_chunks(tenant_a, 60, seed=1)
    add_chunks(tenant_b, 200, seed=2)

    assert state(tenant_a).wanted and state(tenant_a).index == "missing"
    assert tenant_vector_index_ensure(tenant=tenant_a) == "built"
    assert state(tenant_a).index == state(tenant_a).text_index == "valid"
    assert tenant_vector_index_ensure(tenant=tenant_a) == "exists"
    # B holds most of the rows: the shared index serves it.
    assert not state(tenant_b).wanted
    assert tenant_vector_index_ensure(tenant=tenant_b) == "not needed"

    assert index_name(tenant_a.pk) in vector_plan(tenant_a)
    assert index_name(tenant_a.pk) not in vector_plan(tenant_b)
    assert text_index_name(tenant_a.pk) in text_plan(tenant_a)
    assert text_index_name(tenant_a.pk) not in text_plan(tenant_b)
    # Through the tenant's own index, A gets k results, all its own; B never sees A's rows.
    hits = hybrid_search(tenant=tenant_a, query="copper margin", embedder=LocalHashEmbedder(), k=8)
    assert len(hits) == 8
    assert {h.title for h in hits} == {"tenant-a report"}
    hits = hybrid_search(
        tenant=tenant_b, query="tenant-a copper", embedder=LocalHashEmbedder(), k=8
    )
    assert hits and {h.title for h in hits} == {"tenant-b report"}


def test_a_small_tenant_gets_no_index(tenant_a, tenant_b, threshold):
    add_chunks(tenant_a, 20, seed=1)
    add_chunks(tenant_b, 200, seed=2)
    assert tenant_vector_index_ensure(tenant=tenant_a) == "not needed"
    assert tenant_index_names() == []


def test_no_concurrent_build_inside_a_transaction(tenant_a, tenant_b, threshold):
    add_chunks(tenant_a, 60, seed=1)
    add_chunks(tenant_b, 200, seed=2)
    with transaction.atomic():
        assert tenant_vector_index_ensure(tenant=tenant_a) == "skipped: inside a transaction"
    assert state(tenant_a).index == "missing"


def test_an_index_left_invalid_by_a_dead_build_is_rebuilt(tenant_a, tenant_b, threshold):
    add_chunks(tenant_a, 60, seed=1)
    add_chunks(tenant_b, 200, seed=2)
    assert tenant_vector_index_ensure(tenant=tenant_a) == "built"
    # What a CREATE INDEX CONCURRENTLY killed half-way leaves behind (a catalog write: the
    # owner, a superuser here).
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass",
            [index_name(tenant_a.pk)],
        )
    assert state(tenant_a).index == "invalid"
    assert not state(tenant_a).complete
    assert tenant_vector_index_ensure(tenant=tenant_a) == "built"
    assert state(tenant_a).index == state(tenant_a).text_index == "valid"


def test_command_lists_builds_and_prunes(tenant_a, tenant_b, threshold, capsys):
    add_chunks(tenant_a, 60, seed=1)
    add_chunks(tenant_b, 200, seed=2)
    call_command("tenant_vector_indexes")
    out = capsys.readouterr().out
    assert "tenant-a" in out and "needed; run with --build" in out
    assert tenant_index_names() == []

    call_command("tenant_vector_indexes", "--build")
    out = capsys.readouterr().out
    assert "built in" in out
    assert tenant_index_names() == sorted([index_name(tenant_a.pk), text_index_name(tenant_a.pk)])

    tenant_a_id = tenant_a.pk
    tenant_a.delete()  # its chunks go; its index would stay behind
    call_command("tenant_vector_indexes", "--prune")
    out = capsys.readouterr().out
    assert f"dropped {index_name(tenant_a_id)}" in out
    assert f"dropped {text_index_name(tenant_a_id)}" in out
    assert tenant_index_names() == []


def test_the_worker_builds_the_index_after_ingesting(client_a, tenant_a, tenant_b, tmp_path):
    add_chunks(tenant_b, 200, seed=2)
    pages = [[f"# Part {n}", *filler(f"part {n}", 30)] for n in range(1, 13)]
    response = client_a.post(
        "/api/v1/documents",
        {"files": [SimpleUploadedFile("report.pdf", make_pdf(pages))]},
        format="multipart",
    )
    doc_id = response.json()["documents"][0]["id"]
    with db_worker(tmp_path, TENANT_VECTOR_INDEX_MIN_CHUNKS="10"):
        wait_until(
            lambda: state(tenant_a).complete,
            timeout=120,
            message="the worker never built tenant A's index",
        )
    assert Document.objects.get(pk=doc_id).status == "ready"
    assert state(tenant_a).tenant_chunks >= 10
