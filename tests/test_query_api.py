"""POST /api/v1/query end to end on real sample PDFs with the offline local provider."""

from pathlib import Path

import pytest

from agents.models import QueryRun
from agents.self_rag import NO_EVIDENCE
from providers.local_provider import LOCAL_LABEL
from tenants.services import tenant_update
from tests.fixtures.documents import NEIGHBOUR_DIVIDEND, ingest_pdf

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "pdfs"
ANNUAL_REPORT = "northwind-minerals-annual-report-2024.pdf"


def ingest(tenant, *names: str) -> dict[str, str]:
    documents = [ingest_pdf(tenant, (SAMPLES / name).read_bytes(), name=name) for name in names]
    return {str(d.id): d.filename for d in documents}


def ask(client, question: str) -> dict:
    response = client.post("/api/v1/query", {"question": question}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_answer_cites_the_page_that_holds_the_evidence(tenant_a, client_a):
    ids = ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_a, "What final dividend per share did the directors declare?")
    assert body["route"] == "financial_docs"
    assert "18.5 cents per share" in body["answer"]
    assert body["answer"].startswith(LOCAL_LABEL)
    assert body["grounded"] is True
    assert body["limits_hit"] == []
    top = body["citations"][0]
    assert ids[top["document_id"]] == ANNUAL_REPORT
    assert top["page"] == 6
    assert top["page_label"] == "3"
    assert {"title", "snippet", "score"} <= set(top)
    assert [s["node"] for s in body["trace"]][:3] == [
        "route_question",
        "retrieve",
        "grade_documents",
    ]
    assert body["provider"] == "local"


def test_citations_are_only_the_tenants_own_when_the_neighbour_has_the_same_topic(
    tenant_a, client_a, neighbour
):
    ids = ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_a, "What final dividend per share did the directors declare?")
    assert body["citations"]
    assert {c["document_id"] for c in body["citations"]} <= set(ids)
    assert NEIGHBOUR_DIVIDEND not in body["answer"]
    assert "97.7" not in str(body)


def test_single_route_happy_path_costs_three_llm_calls(tenant_a, client_a):
    ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_a, "What final dividend per share did the directors declare?")
    run = QueryRun.objects.for_tenant(tenant_a).get(pk=body["id"])
    assert run.llm_calls == 3
    assert run.embedding_calls >= 1
    assert run.question.startswith("What final dividend")
    assert run.status == QueryRun.Status.OK


def test_tenant_b_never_gets_tenant_a_documents(tenant_a, tenant_b, client_b):
    ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_b, "What final dividend per share did the directors declare?")
    assert body["citations"] == []
    assert "18.5" not in body["answer"]
    assert "97.7" not in body["answer"]  # nor the neighbour's
    assert NO_EVIDENCE in body["answer"]
    assert body["limits_hit"] == ["retrieval_attempts"]


def test_query_runs_are_scoped_to_their_tenant(tenant_a, tenant_b, client_a, client_b):
    ask(client_a, "What was revenue?")
    ask(client_b, "What was profit?")
    questions_a = list(QueryRun.objects.for_tenant(tenant_a).values_list("question", flat=True))
    assert questions_a == ["What was revenue?"]


def test_unanswerable_question_says_so(tenant_a, client_a):
    ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_a, "What is the chief executive's favourite football team?")
    assert body["grounded"] is False or body["limits_hit"]


def test_sql_route_without_figures_goes_on_to_the_documents(tenant_a, client_a):
    tenant_update(tenant=tenant_a, enabled_routes=["financial_docs", "sql"])
    body = ask(client_a, "What is the average of revenue across all years?")
    assert body["route"] == "financial_docs"  # no table figures: the documents answer
    (step,) = [t for t in body["trace"] if t["node"] == "sql_agent"]
    assert step["decision"].startswith("no figures") and step["attempts"]


def test_web_route_without_tavily_key_says_not_configured(tenant_a, client_a, settings):
    settings.TAVILY_API_KEY = ""
    tenant_update(tenant=tenant_a, enabled_routes=["financial_docs", "web_search"])
    body = ask(client_a, "What is the latest news on interest rates today?")
    assert body["route"] == "web_search"
    assert "not configured" in body["answer"]


def test_provider_outage_is_503_json_and_recorded(tenant_a, client_a, fake_openai):
    tenant_update(tenant=tenant_a, provider="openai")
    fake_openai.fail_next(100, status=503)
    response = client_a.post("/api/v1/query", {"question": "What was revenue?"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_unavailable"
    run = QueryRun.objects.for_tenant(tenant_a).get()
    assert run.status == QueryRun.Status.ERROR
    assert run.error


def test_query_run_separates_provider_time_from_platform_time(tenant_a, client_a, settings):
    settings.LOCAL_PROVIDER_DELAY_MS = 20  # the simulated model waits this long per call
    ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_a, "What final dividend per share did the directors declare?")
    run = QueryRun.objects.for_tenant(tenant_a).get(pk=body["id"])
    assert run.provider_ms >= run.llm_calls * 20
    assert run.provider_ms <= run.latency_ms


def test_a_run_failing_midway_still_records_the_calls_it_paid_for(tenant_a, client_a, fake_openai):
    tenant_update(tenant=tenant_a, provider="openai")
    fake_openai.fail_after(1, status=503)  # the question's embedding succeeds, then an outage
    response = client_a.post("/api/v1/query", {"question": "What was revenue?"}, format="json")
    assert response.status_code == 503
    run = QueryRun.objects.for_tenant(tenant_a).get()
    assert run.status == QueryRun.Status.ERROR
    assert run.embedding_calls == 1
    assert run.input_tokens > 0


def test_response_is_the_documented_schema(tenant_a, client_a):
    """The view builds its JSON directly; it must stay what QueryOutput (the OpenAPI schema)
    would render, for document and web citations alike."""
    from agents.apis import QueryOutput, query_response

    ingest(tenant_a, ANNUAL_REPORT)
    body = ask(client_a, "What final dividend per share did the directors declare?")
    run = QueryRun.objects.for_tenant(tenant_a).get(pk=body["id"])
    assert body == query_response(run) == QueryOutput(run).data
    run.citations = [
        *run.citations[:1],
        {"url": "https://example.test/a", "title": "A", "snippet": "s", "score": 0.5},
    ]
    run.limits_hit = ["generation_retries"]
    assert query_response(run) == QueryOutput(run).data
    assert list(query_response(run)) == list(QueryOutput(run).data)
