"""Document API: upload (with per-file rejections), dedupe, list, detail, page, delete, 404s."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Chunk, Document
from documents.services import document_ingest
from tests.data.pdf_factory import filler, make_pdf
from tests.fixtures.documents import neighbour_pdf

pytestmark = pytest.mark.django_db


def pdf_file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def good_pdf(tag: str = "one") -> bytes:
    return make_pdf([[f"# Report {tag}", *filler(tag)], filler(tag + " two")], title=tag)


def upload(client, *files):
    return client.post("/api/v1/documents", {"files": list(files)}, format="multipart")


def test_upload_accepts_good_pdfs_and_rejects_bad_ones_in_the_same_batch(client_a):
    response = upload(
        client_a,
        pdf_file("good.pdf", good_pdf()),
        pdf_file("notes.txt", b"just some text"),
        pdf_file("empty.pdf", b""),
    )
    assert response.status_code == 202
    body = response.json()
    (accepted,) = body["documents"]
    assert accepted["filename"] == "good.pdf"
    assert accepted["status"] == "queued"
    assert accepted["status_url"].endswith(f"/api/v1/documents/{accepted['id']}")
    assert {r["filename"]: r["error"]["code"] for r in body["rejected"]} == {
        "notes.txt": "not_a_pdf",
        "empty.pdf": "empty_file",
    }
    assert all(r["error"]["message"] for r in body["rejected"])


def test_upload_with_every_file_rejected_is_400_with_the_same_body(client_a, tenant_a):
    encrypted = make_pdf([["secret figures"]], encrypt="pw")
    truncated = good_pdf()[:300]
    response = upload(client_a, pdf_file("locked.pdf", encrypted), pdf_file("cut.pdf", truncated))
    assert response.status_code == 400
    body = response.json()
    assert body["documents"] == []
    assert {r["filename"]: r["error"]["code"] for r in body["rejected"]} == {
        "locked.pdf": "encrypted_pdf",
        "cut.pdf": "corrupt_pdf",
    }
    assert not Document.objects.for_tenant(tenant_a).exists()


def test_over_the_size_and_page_limits_are_rejected(client_a, settings):
    settings.DOCUMENT_MAX_PAGES = 1
    response = upload(client_a, pdf_file("two-pages.pdf", good_pdf()))
    assert response.json()["rejected"][0]["error"]["code"] == "too_many_pages"
    settings.DOCUMENT_MAX_BYTES = 100
    response = upload(client_a, pdf_file("big.pdf", good_pdf()))
    assert response.status_code == 400
    assert response.json()["rejected"][0]["error"]["code"] == "file_too_large"


def test_upload_without_files_is_400(client_a):
    response = client_a.post("/api/v1/documents", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_files"


def test_same_bytes_again_return_the_existing_document(client_a, tenant_a):
    first = upload(client_a, pdf_file("a.pdf", good_pdf())).json()["documents"][0]
    again = upload(client_a, pdf_file("renamed.pdf", good_pdf())).json()["documents"][0]
    assert again["id"] == first["id"]
    assert Document.objects.for_tenant(tenant_a).count() == 1


def test_same_bytes_for_another_tenant_are_a_separate_document(client_a, client_b, neighbour):
    a = upload(client_a, pdf_file("a.pdf", good_pdf())).json()["documents"][0]
    b = upload(client_b, pdf_file("a.pdf", good_pdf())).json()["documents"][0]
    assert a["id"] != b["id"]
    # The neighbour's filing, uploaded by A, is A's own new document.
    mine = upload(client_a, pdf_file("copy.pdf", neighbour_pdf())).json()["documents"][0]
    assert mine["id"] != str(neighbour.document.pk)
    assert mine["status"] == "queued"


def test_stored_file_uses_the_tenant_document_key(client_a, tenant_a):
    doc_id = upload(client_a, pdf_file("a.pdf", good_pdf())).json()["documents"][0]["id"]
    document = Document.objects.get(pk=doc_id)
    assert document.storage_key == f"tenants/{tenant_a.pk}/documents/{doc_id}.pdf"
    assert default_storage.exists(document.storage_key)


def test_list_is_paginated_and_only_shows_the_tenants_documents(client_a, client_b, neighbour):
    upload(client_a, pdf_file("a1.pdf", good_pdf("a1")), pdf_file("a2.pdf", good_pdf("a2")))
    upload(client_b, pdf_file("b1.pdf", good_pdf("b1")))
    body = client_a.get("/api/v1/documents").json()
    assert body["count"] == 2
    assert {d["filename"] for d in body["results"]} == {"a1.pdf", "a2.pdf"}
    assert str(neighbour.document.pk) not in {d["id"] for d in body["results"]}
    assert set(body["results"][0]) >= {"id", "title", "status", "pages_done", "pages_total"}


def test_detail_shows_progress_after_ingestion(client_a):
    doc_id = upload(client_a, pdf_file("a.pdf", good_pdf())).json()["documents"][0]["id"]
    document_ingest(document_id=doc_id)
    body = client_a.get(f"/api/v1/documents/{doc_id}").json()
    assert body["status"] == "ready"
    assert body["error"] == ""
    assert body["pages_done"] == body["pages_total"] == 2
    assert body["bytes"] == len(good_pdf())
    assert len(body["sha256"]) == 64
    assert body["title"] == "one"


def test_page_endpoint_returns_the_cited_pages_text(client_a):
    doc_id = upload(client_a, pdf_file("a.pdf", good_pdf())).json()["documents"][0]["id"]
    document_ingest(document_id=doc_id)
    body = client_a.get(f"/api/v1/documents/{doc_id}/pages/2").json()
    assert body["page"] == 2
    assert body["page_label"] == "2"
    assert "The one two discussion continues with line 0" in body["text"]
    assert client_a.get(f"/api/v1/documents/{doc_id}/pages/3").status_code == 404


def test_other_tenants_document_is_404_on_every_verb(client_a, client_b):
    doc_id = upload(client_a, pdf_file("a.pdf", good_pdf())).json()["documents"][0]["id"]
    document_ingest(document_id=doc_id)
    for response in (
        client_b.get(f"/api/v1/documents/{doc_id}"),
        client_b.delete(f"/api/v1/documents/{doc_id}"),
        client_b.get(f"/api/v1/documents/{doc_id}/pages/1"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Document.objects.filter(pk=doc_id).exists()


def test_the_neighbours_ready_document_answers_like_one_that_never_existed(
    client_a, neighbour, django_capture_on_commit_callbacks
):
    theirs = f"/api/v1/documents/{neighbour.document.pk}"
    nowhere = "/api/v1/documents/00000000-0000-4000-8000-000000000000"

    def every_verb(path):
        with django_capture_on_commit_callbacks(execute=True):
            responses = (
                client_a.get(path),
                client_a.get(f"{path}/pages/1"),
                client_a.patch(path, {"company": "Mine now"}, format="json"),
                client_a.delete(path),
            )
        return [(response.status_code, response.json()) for response in responses]

    assert every_verb(theirs) == every_verb(nowhere)
    assert {status for status, _ in every_verb(theirs)} == {404}
    document = Document.objects.for_tenant(neighbour.tenant).get(pk=neighbour.document.pk)
    assert document.company != "Mine now"
    assert Chunk.objects.for_tenant(neighbour.tenant).filter(document=document).exists()
    assert default_storage.exists(document.storage_key)


def test_delete_removes_the_file_pages_and_chunks(
    client_a, neighbour, django_capture_on_commit_callbacks
):
    doc_id = upload(client_a, pdf_file("a.pdf", good_pdf())).json()["documents"][0]["id"]
    document_ingest(document_id=doc_id)
    key = Document.objects.get(pk=doc_id).storage_key
    assert Chunk.objects.filter(document_id=doc_id).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.delete(f"/api/v1/documents/{doc_id}")
    assert response.status_code == 204
    assert not Document.objects.filter(pk=doc_id).exists()
    assert not Chunk.objects.filter(document_id=doc_id).exists()
    assert not default_storage.exists(key)
    assert client_a.get(f"/api/v1/documents/{doc_id}").status_code == 404
    # Only that document: the neighbour's file and chunks are untouched.
    assert default_storage.exists(neighbour.document.storage_key)
    assert Chunk.objects.for_tenant(neighbour.tenant).exists()


def test_unauthenticated_requests_are_401(client):
    assert client.get("/api/v1/documents").status_code == 401
