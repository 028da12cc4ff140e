"""Ingestion end to end on real PDFs: ready with page-tracked chunks, scans, provider
failures (retried once, by the provider layer, only when retrying can help; then a visible
failure with progress kept) and resumption without dupes."""

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from documents import queue, services, tasks
from documents.models import Chunk, Document, DocumentPage
from documents.services import document_ingest
from providers.base import Provider, ProviderError, UsageMeter
from providers.local_provider import LocalEmbedder
from tenants.services import tenant_create
from tests.data.pdf_factory import filler, make_pdf
from tests.fixtures.documents import upload_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast(settings):
    settings.EMBED_BATCH_SIZE = 4


def long_pdf(pages: int = 6) -> bytes:
    return make_pdf(
        [[f"# Section {n}", *filler(f"section {n}", 40)] for n in range(1, pages + 1)],
        header="FICTIONAL CORP ANNUAL REPORT",
        labels_from=2,
    )


class FlakyEmbedder(LocalEmbedder):
    """The local embedder, failing `failures` calls after the first `ok_calls`."""

    def __init__(self, meter, *, ok_calls: int, failures: int, error=None):
        super().__init__(meter)
        self.ok_calls, self.failures, self.calls = ok_calls, failures, 0
        self.error = error or ProviderError("Embedding service returned 503.")

    def embed_documents(self, texts):
        self.calls += 1
        if self.calls > self.ok_calls and self.failures > 0:
            self.failures -= 1
            raise self.error
        return super().embed_documents(texts)


def use_embedder(monkeypatch, embedder):
    def provider_for(tenant, meter=None):
        return Provider(
            name="flaky", region=None, chat=None, embedder=embedder, meter=embedder.meter
        )

    monkeypatch.setattr(services, "provider_for", provider_for)


def test_ingested_document_is_ready_with_chunks_on_known_pages(tenant_a):
    document = upload_pdf(tenant_a, long_pdf())
    assert document_ingest(document_id=document.pk) == "ready"
    document.refresh_from_db()
    assert document.status == "ready"
    assert document.pages_done == document.pages_total == 6
    assert document.embedding_model == "local-minilm-l6-v2-int8"
    assert document.usage["embedding_calls"] >= 1
    chunks = list(Chunk.objects.for_tenant(tenant_a).filter(document=document))
    assert {c.page_start for c in chunks} == set(range(1, 7))
    assert all(c.page_start == c.page_end for c in chunks)
    section_3 = [c for c in chunks if c.page_start == 3]
    assert all(c.page_label == "2" for c in section_3)  # roman cover, then 1, 2, ...
    assert all("section 3" in c.text for c in section_3)
    assert all(c.heading == "Section 3" for c in section_3)
    assert not any("FICTIONAL CORP" in c.text for c in chunks)
    assert DocumentPage.objects.filter(document=document).count() == 6


def test_running_ingestion_again_changes_nothing(tenant_a):
    document = upload_pdf(tenant_a, long_pdf())
    document_ingest(document_id=document.pk)
    before = list(Chunk.objects.filter(document=document).values_list("id", flat=True))
    Document.objects.filter(pk=document.pk).update(status="processing")
    document_ingest(document_id=document.pk)
    after = list(Chunk.objects.filter(document=document).values_list("id", flat=True))
    assert after == before


def test_scanned_pdf_fails_with_a_clear_reason(tenant_a):
    document = upload_pdf(tenant_a, make_pdf([[], []], image_only_pages=(1, 2)))
    document_ingest(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "failed"
    assert document.error_code == "no_text_layer"
    assert "scanned" in document.error


def test_a_scanned_page_among_text_pages_is_a_warning(tenant_a):
    pages = [filler("one"), [], filler("three")]
    document = upload_pdf(tenant_a, make_pdf(pages, image_only_pages=(2,)))
    document_ingest(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "ready"
    assert document.warnings == [
        "1 page(s) have no text layer (scanned images?) and are not searchable: 2."
    ]
    assert set(Chunk.objects.filter(document=document).values_list("page_start", flat=True)) == {
        1,
        3,
    }


@pytest.fixture
def tenant_openai(db, fake_openai):
    return tenant_create(name="O", slug="o", provider="openai")


def test_a_transient_provider_error_is_retried_and_the_document_is_ready(
    tenant_openai, fake_openai
):
    document = upload_pdf(tenant_openai, long_pdf())
    fake_openai.fail_next(1, status=503)

    assert document_ingest(document_id=document.pk) == "ready"

    document.refresh_from_db()
    assert document.pages_done == document.pages_total == 6
    # Every batch once, and the first one once more after its 503.
    assert len(fake_openai.embedding_requests()) == document.usage["embedding_calls"] + 1


def test_bad_credentials_fail_the_document_at_once_with_the_reason(tenant_openai, fake_openai):
    document = upload_pdf(tenant_openai, long_pdf())
    fake_openai.fail_next(100, status=401)

    assert document_ingest(document_id=document.pk) == "failed"

    document.refresh_from_db()
    assert len(fake_openai.embedding_requests()) == 1  # no retry can fix a 401
    assert document.error_code == "provider_error"
    assert "401" in document.error and "AuthenticationError" in document.error
    assert "refused the request" in document.error
    assert document.attempts == 1


def test_a_document_failed_by_bad_credentials_is_retried_by_uploading_it_again(
    tenant_openai, fake_openai, django_capture_on_commit_callbacks
):
    data = long_pdf()
    document = upload_pdf(tenant_openai, data)
    fake_openai.fail_next(1, status=401)
    document_ingest(document_id=document.pk)

    with django_capture_on_commit_callbacks(execute=False):
        again = upload_pdf(tenant_openai, data)  # once the credentials are fixed

    assert again.pk == document.pk and again.status == "queued"
    assert document_ingest(document_id=document.pk) == "ready"


def test_persistent_provider_failure_is_visible_and_keeps_progress(tenant_a, monkeypatch):
    use_embedder(monkeypatch, FlakyEmbedder(UsageMeter(), ok_calls=2, failures=99))
    document = upload_pdf(tenant_a, long_pdf())
    document_ingest(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "failed"
    assert document.error_code == "provider_unavailable"
    assert "Embedding service returned 503." in document.error
    assert 0 < document.pages_done < document.pages_total
    assert f"{document.pages_done} of 6 pages" in document.error
    kept = Chunk.objects.filter(document=document).count()
    assert kept > 0


def test_uploading_the_same_file_after_a_provider_failure_resumes_without_duplicates(
    tenant_a, monkeypatch, django_capture_on_commit_callbacks
):
    use_embedder(monkeypatch, FlakyEmbedder(UsageMeter(), ok_calls=2, failures=99))
    data = long_pdf()
    document = upload_pdf(tenant_a, data)
    document_ingest(document_id=document.pk)
    first_pages_done = Document.objects.get(pk=document.pk).pages_done
    use_embedder(monkeypatch, LocalEmbedder(UsageMeter()))
    with django_capture_on_commit_callbacks(execute=False):
        again = upload_pdf(tenant_a, data)
    assert again.pk == document.pk and again.status == "queued"
    document_ingest(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "ready"
    ordinals = list(Chunk.objects.filter(document=document).values_list("ordinal", flat=True))
    assert sorted(ordinals) == list(range(len(ordinals)))
    fresh = upload_pdf(tenant_a, make_pdf([["other"]]))
    assert first_pages_done < document.pages_done and fresh.pk != document.pk


def test_a_crash_mid_document_resumes_where_it_stopped(tenant_a, monkeypatch):
    crash = FlakyEmbedder(UsageMeter(), ok_calls=2, failures=1, error=MemoryError("killed"))
    use_embedder(monkeypatch, crash)
    document = upload_pdf(tenant_a, long_pdf())
    with pytest.raises(MemoryError):
        document_ingest(document_id=document.pk)
    written = set(Chunk.objects.filter(document=document).values_list("ordinal", flat=True))
    assert written
    use_embedder(monkeypatch, LocalEmbedder(UsageMeter()))
    Document.objects.filter(pk=document.pk).update(status="processing")
    document_ingest(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == "ready"
    ordinals = list(Chunk.objects.filter(document=document).values_list("ordinal", flat=True))
    assert sorted(ordinals) == list(range(len(ordinals)))
    assert written < set(ordinals)


def test_the_queue_names_the_tasks_that_exist():
    assert tasks.ingest_document.module_path == queue.INGEST_TASK
    assert tasks.watch_document.module_path == queue.WATCHDOG_TASK


def claimed_ingestion_task(document: Document, *, worker_id: str):
    """An ingestion task as db_worker leaves it when killed: claimed, "running"."""
    result = tasks.ingest_document.enqueue(document_id=str(document.pk))
    DBTaskResult.objects.get(pk=result.id).claim(worker_id)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING)
    return result


def test_watchdog_ends_a_dead_workers_ingestion_task_as_failed(tenant_a):
    document = upload_pdf(tenant_a, make_pdf([["Only page"]]))
    lost = claimed_ingestion_task(document, worker_id="worker-killed")

    assert services.document_watchdog(document_id=document.pk) == "requeued"

    lost.refresh()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.errors[0].exception_class_path.endswith("IngestionWorkerLost")
    assert "Worker worker-killed stopped" in lost.errors[0].traceback


def test_watchdog_leaves_other_documents_running_tasks_alone(tenant_a):
    document = upload_pdf(tenant_a, make_pdf([["Only page"]]))
    other = claimed_ingestion_task(upload_pdf(tenant_a, make_pdf([["Other"]])), worker_id="w2")
    claimed_ingestion_task(document, worker_id="worker-killed")

    services.document_watchdog(document_id=document.pk)

    other.refresh()
    assert other.status == TaskResultStatus.RUNNING
