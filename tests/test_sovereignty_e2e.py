"""The sovereignty proof, end to end through the public API: upload a PDF, ingest it, ask.

An AU tenant on Bedrock: the fake OpenAI server receives nothing; the fake Bedrock server
receives every embedding and chat call, SigV4-signed for ap-southeast-2, chat only to the AU
inference profile. A standard tenant on OpenAI: the same flow goes to OpenAI, not Bedrock.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agents.models import QueryRun
from documents.models import Chunk
from documents.services import document_ingest
from tenants.services import api_key_issue, tenant_create
from tests.data.pdf_factory import make_pdf
from tests.fixtures.tenants import client_for

pytestmark = pytest.mark.django_db

AU_PROFILE = "au.anthropic.claude-haiku-4-5-20251001-v1:0"
TITAN = "amazon.titan-embed-text-v2:0"
SYDNEY_SCOPE = "/ap-southeast-2/bedrock/aws4_request, "
QUESTIONS = ["What final dividend did the directors declare?", "What was revenue in 2024?"]
REPORT = make_pdf(
    [
        ["# Directors' report", "The directors declared a final dividend of 18.5 cents."],
        ["# Financial review", "Revenue in 2024 was A$412 million, up 12 per cent."],
        ["# Outlook", "Capital expenditure will rise to A$90 million in 2025."],
    ],
    title="Annual report 2024",
)


def upload_ingest_and_ask(tenant) -> list[dict]:
    """What a tenant's app does: upload a PDF, wait for ingestion, ask questions."""
    client = client_for(api_key_issue(tenant=tenant, name="app")[1])
    pdf = SimpleUploadedFile("annual-report.pdf", REPORT, content_type="application/pdf")
    response = client.post("/api/v1/documents", {"files": [pdf]}, format="multipart")
    assert response.status_code == 202, response.content
    (document,) = response.json()["documents"]
    # The worker's task body (the worker itself is tested in test_ingestion_worker).
    assert document_ingest(document_id=document["id"]) == "ready"
    assert client.get(f"/api/v1/documents/{document['id']}").json()["status"] == "ready"
    answers = []
    for question in QUESTIONS:
        response = client.post("/api/v1/query", {"question": question}, format="json")
        assert response.status_code == 200, response.content
        answers.append(response.json())
    return answers


def neighbour_cited(answer: dict, neighbour) -> bool:
    return str(neighbour.document.pk) in {c.get("document_id") for c in answer["citations"]}


def test_au_tenant_upload_ingest_and_questions_never_reach_openai(
    fake_openai, fake_bedrock, neighbour
):
    tenant = tenant_create(name="EA", slug="ea", data_sovereignty="AU", provider="bedrock")

    answers = upload_ingest_and_ask(tenant)

    assert fake_openai.requests == []
    chunks = Chunk.objects.for_tenant(tenant).count()
    invokes, converses = fake_bedrock.invoke_requests(), fake_bedrock.converse_requests()
    assert len(fake_bedrock.requests) == len(invokes) + len(converses)
    assert len(invokes) == chunks + len(QUESTIONS)  # every chunk, then each question
    assert {fake_bedrock.model_of(r) for r in invokes} == {TITAN}
    assert {fake_bedrock.model_of(r) for r in converses} == {AU_PROFILE}
    assert all(SYDNEY_SCOPE in r.headers["authorization"] for r in fake_bedrock.requests)
    assert all(r.headers["authorization"].startswith("AWS4-HMAC-SHA256 ") for r in invokes)
    runs = QueryRun.objects.for_tenant(tenant)
    assert sum(run.llm_calls for run in runs) == len(converses)
    assert {(a["provider"], a["model"]) for a in answers} == {("bedrock", AU_PROFILE)}
    # The neighbour's passages never reach the AU tenant's model, nor its answers.
    assert not any(b"Neighbour Holdings" in r.body for r in fake_bedrock.requests)
    assert not any(neighbour_cited(a, neighbour) for a in answers)


def test_standard_tenant_same_flow_goes_to_openai_not_bedrock(fake_openai, fake_bedrock, neighbour):
    tenant = tenant_create(name="Acme", slug="acme", provider="openai")

    answers = upload_ingest_and_ask(tenant)

    assert fake_bedrock.requests == []
    embedded = [text for r in fake_openai.embedding_requests() for text in r.json["input"]]
    assert len(embedded) == Chunk.objects.for_tenant(tenant).count() + len(QUESTIONS)
    assert {r.json["dimensions"] for r in fake_openai.embedding_requests()} == {1024}
    chats = fake_openai.chat_requests()
    assert chats and {r.json["model"] for r in chats} == {"gpt-4.1-mini"}
    assert sum(run.llm_calls for run in QueryRun.objects.for_tenant(tenant)) == len(chats)
    assert {a["provider"] for a in answers} == {"openai"}
    assert not any(b"Neighbour Holdings" in r.body for r in fake_openai.requests)
    assert not any(neighbour_cited(a, neighbour) for a in answers)


def test_provider_outage_is_a_503_with_a_code(fake_bedrock, settings):
    tenant = tenant_create(name="EA", slug="ea", data_sovereignty="AU", provider="bedrock")
    client = client_for(api_key_issue(tenant=tenant, name="app")[1])
    settings.PROVIDER_MAX_RETRIES = 1
    fake_bedrock.fail_next(100, status=503)

    response = client.post("/api/v1/query", {"question": QUESTIONS[0]}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_unavailable"
    assert len(fake_bedrock.requests) == 2  # one attempt and one retry, then the 503
