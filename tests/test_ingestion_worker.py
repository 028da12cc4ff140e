"""Ingestion by the real `manage.py db_worker`: an upload reaches ready, and a worker
killed mid-document is replaced by one that finishes it without duplicate chunks (its task
row ends as failed)."""

import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from documents import tasks
from documents.chunking import PageText, plan_chunks
from documents.metadata import chunk_title
from documents.models import Chunk, Document, DocumentPage
from tests.data.pdf_factory import filler, make_pdf

from .worker import db_worker, wait_until

# Liveness bounds, not speed claims: generous for a loaded 2-core machine.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


@pytest.fixture
def data_dir(media_in_tmp):
    """The worker's RAG_DATA_DIR: its media directory is this process's MEDIA_ROOT."""
    return media_in_tmp.parent


def status_of(document_id) -> Document:
    return Document.objects.get(pk=document_id)


def test_uploaded_pdf_reaches_ready_through_the_worker(client_a, data_dir):
    data = make_pdf([[f"# Part {n}", *filler(f"part {n}")] for n in range(1, 4)])
    response = client_a.post(
        "/api/v1/documents",
        {"files": [SimpleUploadedFile("report.pdf", data)]},
        format="multipart",
    )
    doc_id = response.json()["documents"][0]["id"]
    with db_worker(data_dir):
        wait_until(
            lambda: status_of(doc_id).is_finished, timeout=120, message="document never finished"
        )
    body = client_a.get(f"/api/v1/documents/{doc_id}").json()
    assert body["status"] == "ready", body
    assert body["pages_done"] == body["pages_total"] == 3
    assert Chunk.objects.filter(document_id=doc_id).count() >= 3


def test_worker_killed_mid_document_is_finished_by_the_next_without_duplicates(client_a, data_dir):
    pages = [[f"# Chapter {n}", *filler(f"chapter {n}", 30)] for n in range(1, 301)]
    response = client_a.post(
        "/api/v1/documents",
        {"files": [SimpleUploadedFile("long.pdf", make_pdf(pages))]},
        format="multipart",
    )
    doc_id = response.json()["documents"][0]["id"]

    with db_worker(data_dir, EMBED_BATCH_SIZE="1") as first:
        wait_until(lambda: status_of(doc_id).pages_done >= 5, timeout=120, message="never started")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    killed_at = status_of(doc_id)
    assert killed_at.status == "processing"
    assert 0 < killed_at.pages_done < 300
    killed_task = DBTaskResult.objects.running().get(task_path=tasks.ingest_document.module_path)

    with db_worker(data_dir, EMBED_BATCH_SIZE="16"):
        # A liveness bound, not a speed claim: generous, so a loaded machine does not fail it.
        wait_until(lambda: status_of(doc_id).is_finished, timeout=600, message="never resumed")
    document = status_of(doc_id)
    assert document.status == "ready", document.error
    assert document.attempts == 2
    # The killed worker's task row does not stay "running" for ever.
    assert tasks.ingest_document.get_result(killed_task.id).status == TaskResultStatus.FAILED
    ordinals = list(Chunk.objects.filter(document_id=doc_id).values_list("ordinal", flat=True))
    stored = DocumentPage.objects.filter(document_id=doc_id).order_by("number")
    expected = plan_chunks(
        [PageText(p.number, p.label, p.text) for p in stored],
        title=chunk_title(document),
        boilerplate=document.boilerplate,
    )
    assert sorted(ordinals) == list(range(len(expected)))
