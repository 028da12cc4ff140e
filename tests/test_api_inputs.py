"""How the API reads requests, as its schema says (what schemathesis found, one test each):
JSON bodies only and typed, never coerced; checked pagination; bodies over the limit are 413;
strict query parameters; every error is the one JSON error body."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.data.pdf_factory import make_pdf
from tests.fixtures.documents import ingest_pdf, upload_pdf

pytestmark = pytest.mark.django_db


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def test_a_json_endpoint_refuses_a_form_with_415(client_a):
    response = client_a.post("/api/v1/query", {"question": "Revenue?"}, format="multipart")
    assert error_code(response, 415) == "unsupported_media_type"


@pytest.mark.parametrize(
    "body",
    [
        {"question": 12},
        {"question": ["Revenue?"]},
        {"question": "Revenue?", "fiscal_year": "2024"},
        {"question": "Revenue?", "fiscal_year": True},
        {"question": "Revenue?", "document_ids": [5]},
        ["Revenue?"],
    ],
)
def test_values_of_the_wrong_json_type_are_400_not_coerced(client_a, body):
    response = client_a.post("/api/v1/query", body, format="json")
    assert error_code(response, 400) == "invalid_request"


def test_admin_input_is_typed_too(admin_api):
    response = admin_api.post(
        "/api/v1/admin/tenants", {"name": "Typed", "slug": 123}, format="json"
    )
    assert response.json()["error"]["fields"]["slug"] == ["Must be a string, not a number."]


def test_a_string_that_is_not_unicode_is_400(client_a):
    body = b'{"question": "Revenue \\ud800?"}'
    response = client_a.post("/api/v1/query", body, content_type="application/json")
    assert error_code(response, 400) == "parse_error"


def test_a_json_body_over_the_limit_is_413(client_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"question": "x" * 2000}
    assert error_code(client_a.post("/api/v1/query", body, format="json"), 413) == (
        "request_too_large"
    )


def test_an_upload_over_what_an_upload_can_hold_is_413(client_a, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    settings.DOCUMENT_MAX_FILES_PER_UPLOAD = 1
    files = [SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2**21)]
    response = client_a.post("/api/v1/documents", {"files": files}, format="multipart")
    assert error_code(response, 413) == "request_too_large"


def test_an_upload_with_every_file_rejected_also_says_so_in_error(client_a):
    files = [SimpleUploadedFile("notes.pdf", b"not a pdf")]
    body = client_a.post("/api/v1/documents", {"files": files}, format="multipart").json()
    assert body["error"]["code"] == "documents_rejected"
    assert body["documents"] == []
    assert body["rejected"][0]["error"]["code"] == "not_a_pdf"


def test_the_list_is_paginated_with_page_size(client_a, tenant_a):
    for n in range(3):
        upload_pdf(tenant_a, make_pdf([[f"Filing {n}"]]), name=f"f{n}.pdf")
    first = client_a.get("/api/v1/documents?page_size=2").json()
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    last = client_a.get(first["next"]).json()
    assert (len(last["results"]), last["next"]) == (1, None)


@pytest.mark.parametrize(
    "query", ["page=abc", "page=0", "page=-1", "page=1.0", "page=²", "page_size=0", "page_size=201"]
)
def test_a_malformed_page_or_page_size_is_400(client_a, query):
    response = client_a.get(f"/api/v1/documents?{query}")
    assert error_code(response, 400) == "invalid_request"


def test_a_page_past_the_last_is_404(client_a):
    assert error_code(client_a.get("/api/v1/documents?page=2"), 404) == "not_found"


def test_patching_a_document_needs_a_field_to_change(client_a, tenant_a):
    document = upload_pdf(tenant_a, make_pdf([["Filing"]]))
    response = client_a.patch(f"/api/v1/documents/{document.pk}", {}, format="json")
    assert error_code(response, 400) == "invalid_request"


@pytest.mark.parametrize("highlight", ["²", "1, 2", "1,,2", "", "1\n"])
def test_a_highlight_that_is_not_comma_separated_ids_is_400(client_a, tenant_a, highlight):
    document = ingest_pdf(tenant_a, make_pdf([["Filing"]]))
    url = f"/api/v1/documents/{document.pk}/pages/1/image"
    response = client_a.get(url, {"highlight": highlight})
    assert error_code(response, 400) == "invalid_page_image"


@pytest.mark.parametrize("width", ["50.0", " 60", "1e3", "²"])
def test_a_width_that_is_not_a_whole_number_is_400(client_a, tenant_a, width):
    document = ingest_pdf(tenant_a, make_pdf([["Filing"]]))
    response = client_a.get(f"/api/v1/documents/{document.pk}/pages/1/image", {"width": width})
    assert error_code(response, 400) == "invalid_request"
