"""POST /api/v1/query scoped to documents: `document_ids` and the metadata filters (company,
fiscal_year, form_type) restrict retrieval in SQL; a filter that matches nothing is a 400, and
another tenant's document id is answered exactly like an unknown one."""

import uuid

import pytest

from documents.models import Document
from tests.data.pdf_factory import annual_report_cover, cover_10k, make_pdf
from tests.fixtures.documents import ingest_pdf

pytestmark = pytest.mark.django_db

QUESTION = "What was total revenue and operating cash flow for the year?"


def revenue_page(company: str, revenue: str) -> list[str]:
    return [
        "# Results of operations",
        f"{company} total revenue for the year was {revenue}, up on the prior year.",
        f"Operating cash flow for the year was {revenue} less capital expenditure.",
        "Revenue grew in every segment; total revenue and cash flow are discussed below.",
    ]


@pytest.fixture
def library(tenant_a) -> dict[str, str]:
    """Tenant A's two ready filings (a 10-K for 2023, an annual report for 2024): name → id."""
    filings = {
        "acme": make_pdf([cover_10k(), revenue_page("Acme", "$512 million")]),
        "harbour": make_pdf([annual_report_cover(), revenue_page("Harbour", "A$304 million")]),
    }
    return {
        name: str(ingest_pdf(tenant_a, data, name=f"{name}.pdf").pk)
        for name, data in filings.items()
    }


def ask(client, **body):
    return client.post("/api/v1/query", {"question": QUESTION, **body}, format="json")


def cited_documents(response) -> set[str]:
    assert response.status_code == 200, response.content
    citations = response.json()["citations"]
    assert citations
    return {citation["document_id"] for citation in citations}


def test_unscoped_question_cites_both_documents(client_a, library):
    assert cited_documents(ask(client_a)) == set(library.values())


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"company": "acme widgets"}, "acme"),
        ({"company": "HARBOUR"}, "harbour"),
        ({"company": "ACMW"}, "acme"),  # the ticker
        ({"fiscal_year": 2024}, "harbour"),
        ({"form_type": "10-K"}, "acme"),
        ({"form_type": "annual_report", "fiscal_year": 2024}, "harbour"),
    ],
)
def test_metadata_filters_cite_only_the_matching_document(client_a, library, scope, expected):
    assert cited_documents(ask(client_a, **scope)) == {library[expected]}


def test_document_ids_cite_only_those_documents(client_a, library):
    response = ask(client_a, document_ids=[library["harbour"]])
    assert cited_documents(response) == {library["harbour"]}


def test_filters_combine_with_document_ids(client_a, library):
    response = ask(client_a, document_ids=list(library.values()), company="acme")
    assert cited_documents(response) == {library["acme"]}


@pytest.mark.parametrize(
    "scope",
    [
        {"company": "Initech"},
        {"fiscal_year": 1999},
        {"form_type": "8-K"},
        {"company": "acme", "fiscal_year": 2024},
    ],
)
def test_a_filter_that_matches_nothing_is_400(client_a, library, scope):
    response = ask(client_a, **scope)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "no_matching_documents"
    assert error["message"].startswith("No ready document matches")


def test_a_document_still_being_ingested_matches_nothing(client_a, library):
    Document.objects.filter(pk=library["harbour"]).update(status="processing")
    response = ask(client_a, company="harbour")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_matching_documents"


def test_other_tenants_document_id_is_400_exactly_like_an_unknown_one(client_b, library):
    theirs_id, unknown_id = library["acme"], str(uuid.uuid4())
    theirs = ask(client_b, document_ids=[theirs_id])
    unknown = ask(client_b, document_ids=[unknown_id])
    assert theirs.status_code == unknown.status_code == 400
    assert theirs.json()["error"]["code"] == "unknown_document"
    assert theirs.json()["error"]["message"] == f"No such document: {theirs_id}."
    assert unknown.json()["error"]["message"] == f"No such document: {unknown_id}."


def test_the_neighbours_document_id_is_400_exactly_like_an_unknown_one(
    client_a, library, neighbour
):
    theirs_id = str(neighbour.document.pk)
    response = ask(client_a, document_ids=[library["acme"], theirs_id])
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "unknown_document",
        "message": f"No such document: {theirs_id}.",
    }


def test_the_neighbours_company_matches_nothing_and_never_scopes_a_question(
    client_a, library, neighbour
):
    named = neighbour.document.company
    assert named, "the neighbour's company is read at ingestion"
    filtered = ask(client_a, company=named)
    assert filtered.status_code == 400
    assert filtered.json()["error"]["code"] == "no_matching_documents"
    response = client_a.post(
        "/api/v1/query", {"question": f"What was {named}'s total revenue?"}, format="json"
    )
    assert cited_documents(response) == set(library.values())


def test_one_unknown_id_among_the_tenants_own_is_400(client_a, library):
    response = ask(client_a, document_ids=[library["acme"], str(uuid.uuid4())])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_document"


def test_tenant_b_filtering_on_tenant_as_company_finds_nothing(client_b, library):
    response = ask(client_b, company="acme")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_matching_documents"


@pytest.mark.parametrize(
    "scope",
    [
        {"document_ids": ["not-a-uuid"]},
        {"document_ids": []},
        {"document_ids": "0b7e4a52-5b7c-4d36-9a1b-0d6f5f0f2f11"},
        {"fiscal_year": "recent"},
        {"form_type": "10-X"},
        {"company": ""},
    ],
)
def test_malformed_scope_is_400_json(client_a, scope):
    response = ask(client_a, **scope)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_question_naming_a_company_reads_only_its_documents(client_a, library):
    named = Document.objects.get(pk=library["harbour"]).company
    assert named, "the annual report's company is read at ingestion"
    response = client_a.post(
        "/api/v1/query", {"question": f"What was {named}'s total revenue?"}, format="json"
    )
    assert cited_documents(response) == {library["harbour"]}
    assert response.json()["trace"][0]["node"] == "scope"


def test_question_naming_no_company_of_the_library_is_not_scoped(client_a, library):
    response = client_a.post(
        "/api/v1/query", {"question": "What was Globex's total revenue?"}, format="json"
    )
    assert cited_documents(response) == set(library.values())
    assert all(step["node"] != "scope" for step in response.json()["trace"])


def test_another_tenants_company_never_scopes_to_its_documents(client_b, library):
    named = Document.objects.get(pk=library["acme"]).company
    response = client_b.post(
        "/api/v1/query", {"question": f"What was {named}'s total revenue?"}, format="json"
    )
    assert response.status_code == 200
    assert not {c.get("document_id") for c in response.json()["citations"]} & set(library.values())
