"""Document metadata in the API: listed and shown, corrected by the tenant with PATCH
(validated, JSON errors), and never visible or correctable by another tenant."""

import uuid

import pytest

from documents.models import Document
from tests.data.pdf_factory import cover_10k, filler, make_pdf
from tests.fixtures.documents import ingest_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def filing(tenant_a) -> Document:
    return ingest_pdf(tenant_a, make_pdf([cover_10k(), filler("operations")]), name="acme-10k.pdf")


def url(document_id) -> str:
    return f"/api/v1/documents/{document_id}"


METADATA = {
    "company": "Acme Widgets Corporation",
    "ticker": "ACMW",
    "form_type": "10-K",
    "fiscal_year": 2023,
    "fiscal_quarter": None,
    "period_end": "2023-12-31",
    "metadata_source": "extracted",
}


def test_detail_and_list_include_the_metadata(client_a, filing):
    detail = client_a.get(url(filing.pk)).json()
    assert {key: detail[key] for key in METADATA} == METADATA
    (listed,) = client_a.get("/api/v1/documents").json()["results"]
    assert {key: listed[key] for key in METADATA} == METADATA


def test_tenant_corrects_metadata_and_is_recorded_as_its_source(client_a, filing):
    response = client_a.patch(
        url(filing.pk),
        {"company": "Acme Widgets Corp", "fiscal_year": 2022, "period_end": "2022-12-31"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["company"], body["fiscal_year"], body["period_end"]) == (
        "Acme Widgets Corp",
        2022,
        "2022-12-31",
    )
    assert body["form_type"] == "10-K"  # not sent, not changed
    assert body["metadata_source"] == "tenant"
    filing.refresh_from_db()
    assert (filing.fiscal_year, filing.metadata_source) == (2022, "tenant")


def test_a_field_can_be_cleared(client_a, filing):
    response = client_a.patch(url(filing.pk), {"period_end": None, "ticker": ""}, format="json")
    assert response.status_code == 200
    assert (response.json()["period_end"], response.json()["ticker"]) == (None, "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fiscal_quarter": 5}, "fiscal_quarter"),
        ({"fiscal_quarter": 0}, "fiscal_quarter"),
        ({"fiscal_year": "last year"}, "fiscal_year"),
        ({"fiscal_year": 20190}, "fiscal_year"),
        ({"form_type": "10-X"}, "form_type"),
        ({"period_end": "2023-02-30"}, "period_end"),
        ({"company": "x" * 301}, "company"),
    ],
)
def test_bad_values_are_400_json_and_change_nothing(client_a, filing, body, field):
    response = client_a.patch(url(filing.pk), body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"]
    filing.refresh_from_db()
    assert (filing.fiscal_year, filing.metadata_source) == (2023, "extracted")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"status": "ready"}, "Not correctable: status"),
        ({"company": "Acme", "metadata_source": "extracted"}, "Not correctable: metadata_source"),
        ({}, "Nothing to change"),
    ],
)
def test_fields_that_are_not_metadata_or_an_empty_body_are_400(client_a, filing, body, words):
    response = client_a.patch(url(filing.pk), body, format="json")
    assert response.status_code == 400
    assert words in response.json()["error"]["message"]
    filing.refresh_from_db()
    assert filing.metadata_source == "extracted"


def test_other_tenant_gets_404_like_an_unknown_document(client_b, filing):
    theirs = client_b.patch(url(filing.pk), {"fiscal_year": 1999}, format="json")
    unknown = client_b.patch(url(uuid.uuid4()), {"fiscal_year": 1999}, format="json")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert client_b.get(url(filing.pk)).status_code == 404
    assert client_b.get("/api/v1/documents").json()["results"] == []
    filing.refresh_from_db()
    assert (filing.fiscal_year, filing.metadata_source) == (2023, "extracted")


def test_openapi_schema_documents_the_patch(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    patch = schema["paths"]["/api/v1/documents/{document_id}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]
    assert set(fields) == {
        "company",
        "ticker",
        "form_type",
        "fiscal_year",
        "fiscal_quarter",
        "period_end",
    }
    assert {"200", "400", "404"} <= set(patch["responses"])
    output = schema["components"]["schemas"]["DocumentOutput"]["properties"]
    assert {"company", "form_type", "fiscal_year", "metadata_source"} <= set(output)
