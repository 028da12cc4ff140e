"""Seeing the evidence through the tenant API: citations' highlights lie on the cited text,
the PDF itself (local and S3), a page drawn as a PNG with highlights and ETag caching, and
every bad request a JSON 4xx that never hands over another tenant's bytes."""

import io
import time
import urllib.parse

import boto3
import pypdfium2 as pdfium
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws
from PIL import Image

from documents.models import Chunk, Document
from documents.services import document_ingest, document_upload
from tests.data.pdf_factory import filler, make_pdf
from tests.test_query_api import ANNUAL_REPORT, SAMPLES, ask, ingest

pytestmark = pytest.mark.django_db
QUESTION = "What final dividend per share did the directors declare?"
BUCKET = "rag-system-docs-viewer-test"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def small_document(tenant, topic: str = "dividend", pages: int = 2) -> Document:
    data = make_pdf([[f"# {topic.title()} {n}", *filler(f"{topic} {n}", 12)] for n in range(pages)])
    (document,) = document_upload(
        tenant=tenant, files=[SimpleUploadedFile(f"{topic}.pdf", data)]
    ).documents
    assert document_ingest(document_id=document.pk) == "ready"
    return document


def text_in_boxes(pdf_bytes: bytes, number: int, boxes) -> str:
    """What pdfium reads inside normalised top-left boxes of a page (unrotated samples)."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        page = pdf[number - 1]
        width, height = page.get_size()
        textpage = page.get_textpage()
        return " ".join(
            textpage.get_text_bounded(
                left=x0 * width,
                bottom=height - y1 * height,
                right=x1 * width,
                top=height - y0 * height,
            )
            for x0, y0, x1, y1 in boxes
        )
    finally:
        pdf.close()


def png(response) -> Image.Image:
    assert response["Content-Type"] == "image/png"
    return Image.open(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).convert("RGB")


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


# --- highlights in citations --------------------------------------------------------------


def test_citation_highlights_are_the_boxes_of_the_cited_text_on_its_page(tenant_a, client_a):
    ingest(tenant_a, ANNUAL_REPORT)
    top = ask(client_a, QUESTION)["citations"][0]
    assert top["page"] == 6
    (highlight,) = top["highlights"]
    assert highlight["page"] == 6
    assert highlight["boxes"] and all(
        len(box) == 4 and 0 <= box[0] < box[2] <= 1 and 0 <= box[1] < box[3] <= 1
        for box in highlight["boxes"]
    )
    inside = text_in_boxes((SAMPLES / ANNUAL_REPORT).read_bytes(), 6, highlight["boxes"])
    assert "final dividend of 18.5 cents per share" in " ".join(inside.split())
    assert isinstance(top["chunk_id"], int)


def test_citation_highlights_are_stored_with_the_query_run(tenant_a, client_a):
    from agents.models import QueryRun

    ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_a, QUESTION)
    run = QueryRun.objects.for_tenant(tenant_a).get(pk=body["id"])
    assert run.citations[0]["highlights"] == body["citations"][0]["highlights"]


# --- the PDF ------------------------------------------------------------------------------


def test_file_streams_the_pdf_inline_under_its_original_filename(tenant_a, client_a):
    (document_id,) = ingest(tenant_a, ANNUAL_REPORT)
    response = client_a.get(f"/api/v1/documents/{document_id}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{ANNUAL_REPORT}"'
    assert b"".join(response.streaming_content) == (SAMPLES / ANNUAL_REPORT).read_bytes()


def test_other_tenant_gets_404_and_no_bytes_for_the_file(tenant_a, client_b):
    document = small_document(tenant_a)
    response = client_b.get(f"/api/v1/documents/{document.pk}/file")
    assert_error(response, 404, "not_found")
    assert b"%PDF" not in response.content


@pytest.fixture
def s3(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="ap-southeast-2").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "ap-southeast-2",
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
        }
        storages._storages.pop("default", None)
        yield
        storages._storages.pop("default", None)


def test_file_in_s3_redirects_to_a_short_lived_presigned_url_with_the_filename(
    s3, settings, tenant_a, client_a, client_b
):
    settings.DOCUMENT_FILE_URL_SECONDS = 120
    document = small_document(tenant_a)
    response = client_a.get(f"/api/v1/documents/{document.pk}/file")
    assert response.status_code == 302
    url = urllib.parse.urlsplit(response["Location"])
    query = urllib.parse.parse_qs(url.query)
    assert url.path.endswith(f"/tenants/{tenant_a.pk}/documents/{document.pk}.pdf")
    assert query["response-content-disposition"] == ['inline; filename="dividend.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    # SigV4 says how long the URL lives; SigV2 (botocore's default for presigning) when.
    if "X-Amz-Expires" in query:
        assert query["X-Amz-Expires"] == ["120"]
    else:
        assert 0 < int(query["Expires"][0]) - time.time() <= 121
    assert_error(client_b.get(f"/api/v1/documents/{document.pk}/file"), 404, "not_found")


# --- page images ----------------------------------------------------------------------------


def test_page_image_is_a_png_of_the_page_at_the_asked_width_with_an_etag(tenant_a, client_a):
    document = small_document(tenant_a)
    response = client_a.get(f"/api/v1/documents/{document.pk}/pages/1/image?width=600")
    assert response.status_code == 200
    image = png(response)
    assert image.width == 600
    assert image.height == round(600 * 842 / 595) or abs(image.height - 600 * 842 / 595) < 2
    assert response["ETag"].startswith('"')
    assert "private" in response["Cache-Control"] and "max-age" in response["Cache-Control"]


def test_page_image_width_is_capped(tenant_a, client_a, settings):
    settings.PAGE_IMAGE_MAX_WIDTH = 800
    document = small_document(tenant_a)
    response = client_a.get(f"/api/v1/documents/{document.pk}/pages/1/image?width=5000")
    assert png(response).width == 800


def test_page_image_with_its_etag_is_304_and_a_new_highlight_changes_it(tenant_a, client_a):
    document = small_document(tenant_a)
    url = f"/api/v1/documents/{document.pk}/pages/1/image"
    first = client_a.get(url)
    again = client_a.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"] and again.content == b""
    chunk = Chunk.objects.for_tenant(tenant_a).filter(document=document, page_start=1).first()
    highlighted = client_a.get(f"{url}?highlight={chunk.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert highlighted.status_code == 200
    assert highlighted["ETag"] != first["ETag"]
    # served again (from the page-image cache): the same bytes
    assert client_a.get(f"{url}?highlight={chunk.pk}").content == highlighted.content


def test_page_image_highlights_the_chunks_lines_in_yellow_and_nothing_else(tenant_a, client_a):
    document = small_document(tenant_a)
    chunk = Chunk.objects.for_tenant(tenant_a).filter(document=document, page_start=1).first()
    url = f"/api/v1/documents/{document.pk}/pages/1/image?width=1000"
    plain = png(client_a.get(url))
    marked = png(client_a.get(f"{url}&highlight={chunk.pk}"))
    x0, y0, x1, y1 = chunk.boxes["1"][0]
    inside = (int((x0 + x1) / 2 * 1000), int((y0 + y1) / 2 * marked.height))
    # paper inside a highlighted line: yellow (red and green high, blue low)
    line = [marked.getpixel((x, inside[1])) for x in range(int(x0 * 1000), int(x1 * 1000))]
    assert any(r > 200 and g > 180 and b < 120 for r, g, b in line)
    assert plain.getpixel(inside) != marked.getpixel(inside) or plain.getpixel(
        (inside[0] + 3, inside[1])
    ) != marked.getpixel((inside[0] + 3, inside[1]))
    # far from every box of the chunk (bottom of the page): untouched
    assert plain.getpixel((500, marked.height - 5)) == marked.getpixel((500, marked.height - 5))


# --- bad input ------------------------------------------------------------------------------


def test_page_out_of_range_is_404(tenant_a, client_a):
    document = small_document(tenant_a, pages=2)
    response = client_a.get(f"/api/v1/documents/{document.pk}/pages/3/image")
    assert_error(response, 404, "page_not_found")
    assert "2 page(s)" in response.json()["error"]["message"]
    assert_error(
        client_a.get(f"/api/v1/documents/{document.pk}/pages/0/image"), 404, "page_not_found"
    )


def test_deleted_document_is_404_for_file_and_image(tenant_a, client_a):
    document = small_document(tenant_a)
    client_a.get(f"/api/v1/documents/{document.pk}/pages/1/image")  # rendered and cached
    assert client_a.delete(f"/api/v1/documents/{document.pk}").status_code == 204
    assert_error(client_a.get(f"/api/v1/documents/{document.pk}/file"), 404, "not_found")
    assert_error(client_a.get(f"/api/v1/documents/{document.pk}/pages/1/image"), 404, "not_found")


def test_document_still_processing_is_409_for_its_page_images(tenant_a, client_a):
    data = make_pdf([["# Outlook", *filler("outlook", 5)]])
    (document,) = document_upload(
        tenant=tenant_a, files=[SimpleUploadedFile("outlook.pdf", data)]
    ).documents
    Document.objects.for_tenant(tenant_a).filter(pk=document.pk).update(status="processing")
    response = client_a.get(f"/api/v1/documents/{document.pk}/pages/1/image")
    assert_error(response, 409, "document_not_ready")
    assert "processing" in response.json()["error"]["message"]


def test_highlight_of_another_document_or_tenant_is_400_and_draws_nothing(
    tenant_a, tenant_b, client_a
):
    document = small_document(tenant_a, "dividend")
    other_document = small_document(tenant_a, "outlook")
    other_tenants = small_document(tenant_b, "revenue")
    url = f"/api/v1/documents/{document.pk}/pages/1/image"
    for chunk in (
        Chunk.objects.for_tenant(tenant_a).filter(document=other_document).first(),
        Chunk.objects.for_tenant(tenant_b).filter(document=other_tenants).first(),
    ):
        response = client_a.get(f"{url}?highlight={chunk.pk}")
        assert_error(response, 400, "unknown_highlight")
        assert response.json()["error"]["message"] == f"No such chunk in this document: {chunk.pk}."
    assert_error(client_a.get(f"{url}?highlight=12,abc"), 400, "invalid_page_image")


def test_width_too_small_or_not_a_number_is_400(tenant_a, client_a):
    document = small_document(tenant_a)
    url = f"/api/v1/documents/{document.pk}/pages/1/image"
    assert_error(client_a.get(f"{url}?width=10"), 400, "invalid_width")
    assert_error(client_a.get(f"{url}?width=wide"), 400, "invalid_request")


def test_other_tenant_gets_404_for_page_image_even_with_the_etag(tenant_a, client_a, client_b):
    document = small_document(tenant_a)
    url = f"/api/v1/documents/{document.pk}/pages/1/image"
    etag = client_a.get(url)["ETag"]
    for headers in ({}, {"HTTP_IF_NONE_MATCH": etag}):
        response = client_b.get(url, **headers)
        assert_error(response, 404, "not_found")
        assert b"PNG" not in response.content


def test_image_request_accepting_only_png_still_gets_json_errors(tenant_a, client_a):
    document = small_document(tenant_a)
    response = client_a.get(
        f"/api/v1/documents/{document.pk}/pages/9/image", HTTP_ACCEPT="image/png"
    )
    assert_error(response, 404, "page_not_found")


def test_schema_documents_the_file_and_page_image_endpoints(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    image = schema["paths"]["/api/v1/documents/{document_id}/pages/{number}/image"]["get"]
    assert "image/png" in image["responses"]["200"]["content"]
    assert {p["name"] for p in image["parameters"]} >= {"width", "highlight"}
    file = schema["paths"]["/api/v1/documents/{document_id}/file"]["get"]
    assert "application/pdf" in file["responses"]["200"]["content"]
    citation = schema["components"]["schemas"]["CitationOutput"]["properties"]
    assert {"highlights", "chunk_id"} <= set(citation)
