"""Hostile PDFs (issue 16, item 2): pdfium runs in a child process bounded in time and memory
(documents/bounded_parsing.py), so a decompression bomb, a parse that never ends or a crash
in pdfium fails its own document, with its reason, and the rest of the batch is ready; this
process (the worker, the web app) is unharmed. Then every case of tests/hostile_pdfs.py goes
through the API and ingestion. Small limits here keep the bombs quick."""

import itertools
import pickle
import resource
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import bounded_parsing
from documents.models import Document
from documents.parsing import PdfInfo, PdfRejected
from documents.services import document_ingest
from tenants.services import tenant_update
from tests.hostile_pdfs import corpus, glyph_fan_out_pdf, valid_filing

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(300)]

MEMORY_MB = 384
BATCH = 10
# Outcomes that do not depend on how forgiving pdfium is with damage: (where, error code).
EXPECTED = {
    "zero-bytes": ("upload", "empty_file"),
    "png-named-pdf": ("upload", "not_a_pdf"),
    "zip-named-pdf": ("upload", "not_a_pdf"),
    "html-named-pdf": ("upload", "not_a_pdf"),
    "encrypted-user-password-rc4-40": ("upload", "encrypted_pdf"),
    "encrypted-user-password-rc4-128": ("upload", "encrypted_pdf"),
    "encrypted-empty-user-password-128": ("ingestion", ""),
    "blank-pages-10000": ("upload", "too_many_pages"),
    "blank-pages-10000-in-a-tree": ("upload", "too_many_pages"),
    "blank-pages-2000": ("ingestion", "no_text_layer"),
    "flate-bomb-cross-reference-stream": ("upload", "parse_memory"),
    "flate-bomb-content-stream": ("ingestion", "parse_memory"),
    "flate-bomb-twice-compressed": ("ingestion", "parse_memory"),
    "flate-bomb-in-tounicode-cmap": ("ingestion", "parse_memory"),
    "text-forms-fan-out-100-million-glyphs": ("ingestion", "parse_memory"),
    "page-labels-tree-cycle": ("ingestion", "parse_crashed"),
    "kids-contain-their-parent": ("ingestion", "corrupt_pdf"),
    "javascript-open-action": ("ingestion", ""),
    "embedded-file-executable": ("ingestion", ""),
    "media-box-14400": ("ingestion", ""),
}


@pytest.fixture
def client_a(client_a, tenant_a):
    """Tenant A's client, with a rate limit that lets a hundred uploads and reads through."""
    tenant_update(tenant=tenant_a, requests_per_minute=100_000)
    return client_a


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PDF_PARSE_MEMORY_MB = MEMORY_MB
    settings.PDF_INSPECT_MEMORY_MB = 256
    settings.PDF_PARSE_TIMEOUT_S = 20.0
    settings.PDF_INSPECT_TIMEOUT_S = 20.0


def upload(client, files: list[tuple[str, bytes]]):
    return client.post(
        "/api/v1/documents",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        format="multipart",
    )


def ingested(document_id) -> Document:
    document_ingest(document_id=document_id)
    return Document.objects.get(pk=document_id)


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def test_a_decompression_bomb_fails_as_parse_memory_and_this_process_is_unharmed(client_a):
    bomb = next(case for case in corpus() if case.name == "flate-bomb-content-stream")
    before = peak_rss_mb()
    response = upload(client_a, [(bomb.filename, bomb.data), ("good.pdf", valid_filing("a"))])
    assert response.status_code == 202
    bomb_id, good_id = (document["id"] for document in response.json()["documents"])

    failed = ingested(bomb_id)
    assert (failed.status, failed.error_code) == ("failed", "parse_memory")
    assert f"more than the {MEMORY_MB} MB of memory" in failed.error
    assert ingested(good_id).status == "ready"
    # Parsed here, the bomb would have inflated 4 GiB in this process.
    assert peak_rss_mb() < before + MEMORY_MB


def test_a_parse_past_the_time_limit_is_killed_and_fails_as_parse_timeout(client_a, settings):
    settings.PDF_PARSE_TIMEOUT_S = 1.0
    settings.PDF_PARSE_MEMORY_MB = 2048  # the time limit, not the memory limit, must stop it
    response = upload(
        client_a, [("fan-out.pdf", glyph_fan_out_pdf()), ("good.pdf", valid_filing("b"))]
    )
    slow_id, good_id = (document["id"] for document in response.json()["documents"])

    started = time.monotonic()
    failed = ingested(slow_id)
    seconds = time.monotonic() - started

    assert (failed.status, failed.error_code) == ("failed", "parse_timeout")
    assert "longer than the 1 s allowed" in failed.error
    assert seconds < 1.0 + 5.0  # the limit, and a margin for a loaded machine
    assert ingested(good_id).status == "ready"


def test_at_most_pdf_parse_concurrency_children_work_at_once(settings):
    settings.PDF_PARSE_CONCURRENCY = 1
    settings.PDF_PARSE_TIMEOUT_S = 1.0
    settings.PDF_PARSE_MEMORY_MB = 2048
    slow = glyph_fan_out_pdf()
    outcomes = []

    def parse():
        with pytest.raises(PdfRejected) as rejected:
            bounded_parsing.parse_pdf(slow)
        outcomes.append(rejected.value.code)

    threads = [threading.Thread(target=parse) for _ in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["parse_timeout"] * 3
    # One after the other, each for its second; side by side they would take about one.
    assert time.monotonic() - started >= 3.0


def test_a_crash_in_pdfium_fails_its_document_and_the_next_one_is_ready(client_a):
    # pdfium recurses through this page-label tree until its stack overflows (SIGSEGV):
    # parsed in this process, it would end the worker.
    crash = next(case for case in corpus() if case.name == "page-labels-tree-cycle")
    response = upload(client_a, [(crash.filename, crash.data), ("good.pdf", valid_filing("c"))])
    crash_id, good_id = (document["id"] for document in response.json()["documents"])

    failed = ingested(crash_id)
    assert (failed.status, failed.error_code) == ("failed", "parse_crashed")
    assert "crashed the parser (signal 11)" in failed.error
    assert ingested(good_id).status == "ready"


def test_a_bomb_in_the_upload_check_is_a_400_with_its_reason(client_a, tenant_a):
    bomb = next(case for case in corpus() if case.name == "flate-bomb-cross-reference-stream")
    response = upload(client_a, [(bomb.filename, bomb.data)])
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "documents_rejected"
    (rejected,) = body["rejected"]
    assert rejected["error"]["code"] == "parse_memory"
    assert "memory" in rejected["error"]["message"]
    assert not Document.objects.for_tenant(tenant_a).exists()


def test_the_child_may_send_back_only_the_result_classes():
    info = PdfInfo(pages=3, title="Annual report")
    assert bounded_parsing._loads(pickle.dumps(("ok", info, 0))) == ("ok", info, 0)
    # What a subverted child would send to run code here.
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system"):
        bounded_parsing._loads(pickle.dumps(("ok", __import__("os").system, 0)))


def test_every_hostile_pdf_is_rejected_or_ends_failed_or_ready_beside_a_ready_one(
    client_a, tenant_a
):
    cases = corpus()
    assert len(cases) >= 60
    outcomes: dict[str, tuple[str, str]] = {}
    for number, batch in enumerate(itertools.batched(cases, BATCH)):
        good = (f"good-{number}.pdf", valid_filing(f"batch {number}"))
        response = upload(client_a, [good, *((case.filename, case.data) for case in batch)])
        assert response.status_code == 202, response.content
        body = response.json()
        accepted = {document["filename"]: document["id"] for document in body["documents"]}
        rejected = {entry["filename"]: entry["error"] for entry in body["rejected"]}
        assert set(accepted) | set(rejected) == {good[0], *(case.filename for case in batch)}
        assert not set(accepted) & set(rejected)
        for case in batch:
            if case.filename in rejected:
                error = rejected[case.filename]
                assert error["code"] and error["message"], case.name
                outcomes[case.name] = ("upload", error["code"])
        for filename, document_id in accepted.items():
            document = ingested(document_id)
            detail = client_a.get(f"/api/v1/documents/{document_id}").json()
            assert detail["status"] in ("ready", "failed"), (filename, detail)
            if detail["status"] == "failed":
                assert detail["error"] and document.error_code, filename
            outcomes[filename.removesuffix(".pdf")] = ("ingestion", document.error_code)
        assert outcomes[good[0].removesuffix(".pdf")] == ("ingestion", ""), "the good one failed"

    assert {name: outcomes[name] for name in EXPECTED} == EXPECTED
    assert (
        not Document.objects.for_tenant(tenant_a)
        .filter(status__in=[Document.Status.QUEUED, Document.Status.PROCESSING])
        .exists()
    )
    # Each rejection was an entry of a 202 beside the good file; alone, it is a 400.
    for case in cases:
        where, code = outcomes[case.name]
        if where == "upload":
            response = upload(client_a, [(case.filename, case.data)])
            assert response.status_code == 400, case.name
            assert response.json()["rejected"][0]["error"]["code"] == code, case.name
