"""manage.py migrate_tenant_provider: re-embed a tenant's chunks, resumably, then switch."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from documents.models import Chunk, Document
from documents.retrieval import hybrid_search
from documents.services import document_ingest
from providers.factory import provider_for
from providers.local_provider import LOCAL_EMBEDDING_MODEL, LocalEmbedder
from tenants.models import Tenant
from tenants.services import api_key_issue, tenant_create
from tests.fakes.server import fake_vector
from tests.fixtures.tenants import client_for

pytestmark = pytest.mark.django_db

TITAN = "amazon.titan-embed-text-v2:0"
TOPICS = ["revenue", "dividend", "goodwill", "impairment", "cash", "debt", "margin", "capex"]


def add_chunks(tenant, count: int, *, label: str = "report") -> list[Chunk]:
    """A ready document with ``count`` chunks embedded by the local provider."""
    embedder = LocalEmbedder()
    document = Document.objects.create(
        tenant=tenant,
        title=f"{label} 2024",
        filename=f"{label}.pdf",
        sha256=hashlib.sha256(label.encode()).hexdigest(),
        bytes=1000,
        status=Document.Status.READY,
        embedding_model=LOCAL_EMBEDDING_MODEL,
    )
    chunks = []
    for i in range(count):
        context = f"{label} 2024 / Note {i}"
        text = f"The {TOPICS[i % len(TOPICS)]} of {label} was {i} million in 2024 (page {i + 1})."
        chunks.append(
            Chunk(
                tenant=tenant,
                document=document,
                ordinal=i,
                page_start=i + 1,
                page_end=i + 1,
                context=context,
                text=text,
                embedding=embedder.embed_query(f"{context}\n{text}"),
                embedding_model=LOCAL_EMBEDDING_MODEL,
            )
        )
    return Chunk.objects.bulk_create(chunks)


def migrate(slug: str, target: str, *extra: str) -> str:
    out = StringIO()
    call_command(
        "migrate_tenant_provider", slug, "--to", target, "--no-progress", *extra, stdout=out
    )
    return out.getvalue()


@pytest.fixture
def ea(db):
    """The seed's EA tenant as the demo creates it: AU, on the offline local provider."""
    return tenant_create(name="EA", slug="ea", data_sovereignty="AU", provider="local")


def test_ea_moves_to_bedrock_with_every_chunk_re_embedded_by_titan_in_sydney(
    ea, fake_bedrock, fake_openai
):
    add_chunks(ea, 12)

    output = migrate("ea", "bedrock", "--batch-size", "5")

    ea.refresh_from_db()
    assert (ea.provider, ea.chat_model, ea.embedding_model) == ("bedrock", "", "")
    chunks = list(Chunk.objects.for_tenant(ea))
    assert {c.embedding_model for c in chunks} == {TITAN}
    assert {c.next_embedding_model for c in chunks} == {""}
    assert all(c.next_embedding is None for c in chunks)
    for chunk in chunks:
        expected = fake_vector(chunk.embedding_input, 1024, salt="titan")
        assert list(chunk.embedding) == pytest.approx(expected, abs=1e-6)
    assert set(Document.objects.for_tenant(ea).values_list("embedding_model", flat=True)) == {TITAN}
    requests = fake_bedrock.invoke_requests()
    assert len(requests) == 12 and len(fake_bedrock.requests) == 12
    assert all(
        "/ap-southeast-2/bedrock/aws4_request" in r.headers["authorization"] for r in requests
    )
    assert fake_openai.requests == []
    assert "Re-embedded 12 chunk(s)" in output


def test_other_tenants_chunks_are_neither_sent_nor_changed(ea, tenant_b, fake_bedrock):
    add_chunks(ea, 3, label="ea")
    add_chunks(tenant_b, 4, label="other")

    migrate("ea", "bedrock")

    sent = {r.json["inputText"] for r in fake_bedrock.invoke_requests()}
    assert sent and not any("other" in text for text in sent)
    assert set(Chunk.objects.for_tenant(tenant_b).values_list("embedding_model", flat=True)) == {
        LOCAL_EMBEDDING_MODEL
    }


def test_interrupted_run_keeps_old_answers_and_resumes_where_it_stopped(ea, fake_bedrock, settings):
    add_chunks(ea, 20)
    settings.PROVIDER_MAX_RETRIES = 0
    fake_bedrock.fail_after(10)  # two batches of five succeed, then Bedrock goes down

    with pytest.raises(CommandError, match="run the command again to resume"):
        migrate("ea", "bedrock", "--batch-size", "5")

    ea.refresh_from_db()
    assert ea.provider == "local"  # not switched: the tenant still answers from old vectors
    rows = Chunk.objects.for_tenant(ea)
    assert set(rows.values_list("embedding_model", flat=True)) == {LOCAL_EMBEDDING_MODEL}
    assert rows.filter(next_embedding_model=TITAN).count() == 10
    hits = hybrid_search(tenant=ea, query="dividend", embedder=provider_for(ea).embedder, k=3)
    assert hits and "dividend" in hits[0].snippet.lower()

    fake_bedrock.reset()  # Bedrock is back
    migrate("ea", "bedrock", "--batch-size", "5")

    assert len(fake_bedrock.invoke_requests()) == 10  # only the ten not yet done
    ea.refresh_from_db()
    assert ea.provider == "bedrock"
    assert set(rows.values_list("embedding_model", flat=True)) == {TITAN}
    hits = hybrid_search(tenant=ea, query="dividend", embedder=provider_for(ea).embedder, k=3)
    assert hits and "dividend" in hits[0].snippet.lower()


def test_au_tenant_cannot_be_migrated_to_openai(ea, fake_openai):
    add_chunks(ea, 3)

    with pytest.raises(CommandError, match="OpenAI"):
        migrate("ea", "openai")

    ea.refresh_from_db()
    assert ea.provider == "local"
    assert fake_openai.requests == []
    assert not Chunk.objects.for_tenant(ea).exclude(next_embedding_model="").exists()


def test_au_tenant_cannot_be_migrated_to_a_us_profile(ea, fake_bedrock):
    with pytest.raises(CommandError, match="may only use"):
        migrate("ea", "bedrock", "--chat-model", "us.anthropic.claude-haiku-4-5-20251001-v1:0")

    assert fake_bedrock.requests == []


def test_standard_tenant_moves_to_openai_in_batched_requests(tenant_a, fake_openai):
    add_chunks(tenant_a, 7)

    migrate("tenant-a", "openai", "--batch-size", "3")

    tenant_a.refresh_from_db()
    assert tenant_a.provider == "openai"
    requests = fake_openai.embedding_requests()
    assert [len(r.json["input"]) for r in requests] == [3, 3, 1]
    assert {r.json["dimensions"] for r in requests} == {1024}
    assert set(Chunk.objects.for_tenant(tenant_a).values_list("embedding_model", flat=True)) == {
        "text-embedding-3-small"
    }


def test_moving_back_to_local_needs_no_network(tenant_a, fake_openai, fake_bedrock):
    add_chunks(tenant_a, 4)
    migrate("tenant-a", "openai")
    fake_openai.reset()

    migrate("tenant-a", "local")

    tenant_a.refresh_from_db()
    assert tenant_a.provider == "local"
    assert set(Chunk.objects.for_tenant(tenant_a).values_list("embedding_model", flat=True)) == {
        LOCAL_EMBEDDING_MODEL
    }
    assert fake_openai.requests == [] and fake_bedrock.requests == []


def test_unknown_tenant_is_an_error(db):
    with pytest.raises(CommandError, match="No tenant"):
        migrate("nobody", "bedrock")


def test_demo_ea_tenant_moves_to_bedrock_and_then_answers_from_sydney(fake_bedrock, fake_openai):
    call_command("bootstrap_demo", password="demo-pass-123", stdout=StringIO())
    ea, acme = Tenant.objects.get(slug="ea"), Tenant.objects.get(slug="acme")
    for document in Document.objects.for_tenant(ea):
        assert document_ingest(document_id=document.pk) == "ready"
    chunks = Chunk.objects.for_tenant(ea).count()

    migrate("ea", "bedrock")

    assert len(fake_bedrock.invoke_requests()) == chunks > 0
    client = client_for(api_key_issue(tenant=ea, name="app")[1])
    response = client.post(
        "/api/v1/query",
        {"question": "What final dividend did the directors declare?"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["provider"] == "bedrock"
    assert fake_openai.requests == []
    assert (
        not Chunk.objects.for_tenant(acme).exclude(embedding_model=LOCAL_EMBEDDING_MODEL).exists()
    )


def test_local_tenant_on_the_old_hashing_embedder_is_reembedded_in_place(db):
    """An upgrade from the feature-hashing embedder: the chunks are re-embedded with the
    sentence model, never mixed, and the vector leg finds them again."""
    from providers.local_provider import LOCAL_HASH_EMBEDDING_MODEL

    acme = tenant_create(name="Acme", slug="acme-old", provider="local")
    other = tenant_create(name="Other", slug="other-old", provider="local")
    add_chunks(acme, 6, label="acme")
    add_chunks(other, 2, label="other")
    for tenant in (acme, other):
        Chunk.objects.for_tenant(tenant).update(embedding_model=LOCAL_HASH_EMBEDDING_MODEL)
        Document.objects.for_tenant(tenant).update(embedding_model=LOCAL_HASH_EMBEDDING_MODEL)

    out = migrate("acme-old", "local")

    assert "Re-embedded 6 chunk(s)" in out
    models = set(Chunk.objects.for_tenant(acme).values_list("embedding_model", flat=True))
    assert models == {LOCAL_EMBEDDING_MODEL}
    assert set(Chunk.objects.for_tenant(other).values_list("embedding_model", flat=True)) == {
        LOCAL_HASH_EMBEDDING_MODEL
    }
    hits = hybrid_search(tenant=acme, query="goodwill", embedder=LocalEmbedder(), k=3)
    assert any(hit.vector_rank for hit in hits)
