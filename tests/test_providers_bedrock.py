"""The Bedrock provider against the fake Bedrock runtime: SigV4 for ap-southeast-2, the AU
inference profile, toolUse structured output, Titan v2 embeddings, usage and retries."""

import math
import re

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from providers.base import ProviderError, UsageMeter
from providers.bedrock_provider import BedrockChatModel, TitanEmbedder
from tests.fakes.server import count_tokens

AU_PROFILE = "au.anthropic.claude-haiku-4-5-20251001-v1:0"
TITAN = "amazon.titan-embed-text-v2:0"
SIGV4_SYDNEY = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=AKIATESTFAKEKEY00000/\d{8}/ap-southeast-2/bedrock/aws4_request,"
    r" SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$"
)
MESSAGES = [SystemMessage("You answer briefly."), HumanMessage("What was revenue in 2024?")]


class Route(BaseModel):
    datasource: str
    confidence: float


def chat(meter=None):
    return BedrockChatModel(meter, region="ap-southeast-2")


def titan(meter=None):
    return TitanEmbedder(meter, region="ap-southeast-2")


def test_converse_goes_to_the_au_profile_signed_for_sydney(fake_bedrock):
    fake_bedrock.replies.append("Revenue was A$4.2bn [1].")
    meter = UsageMeter()

    answer = chat(meter).generate(MESSAGES)

    assert answer == "Revenue was A$4.2bn [1]."
    (request,) = fake_bedrock.requests
    assert request.path == "/model/au.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse"
    assert fake_bedrock.model_of(request) == AU_PROFILE
    assert SIGV4_SYDNEY.match(request.headers["authorization"])
    assert request.json["system"] == [{"text": "You answer briefly."}]
    assert request.json["messages"][0]["content"] == [{"text": "What was revenue in 2024?"}]
    assert meter.as_dict() == {
        "chat_calls": 1,
        "embedding_calls": 0,
        "input_tokens": count_tokens("You answer briefly. What was revenue in 2024?"),
        "output_tokens": count_tokens(answer),
    }


def test_structured_output_forces_a_tool_use_and_parses_its_input(fake_bedrock):
    fake_bedrock.replies.append({"datasource": "financial_docs", "confidence": 0.9})

    route = chat().structured(MESSAGES, Route)

    assert route == Route(datasource="financial_docs", confidence=0.9)
    tool_config = fake_bedrock.converse_requests()[0].json["toolConfig"]
    assert tool_config["toolChoice"] == {"tool": {"name": "Route"}}
    spec = tool_config["tools"][0]["toolSpec"]
    assert spec["name"] == "Route"
    assert set(spec["inputSchema"]["json"]["properties"]) == {"datasource", "confidence"}


def test_titan_embeds_one_text_per_call_at_1024_normalised(fake_bedrock):
    meter = UsageMeter()
    texts = [f"Segment {i} revenue grew" for i in range(20)]

    vectors = titan(meter).embed_documents(texts)

    requests = fake_bedrock.invoke_requests()
    assert len(requests) == 20
    assert {fake_bedrock.model_of(r) for r in requests} == {TITAN}
    assert all(SIGV4_SYDNEY.match(r.headers["authorization"]) for r in requests)
    assert sorted(r.json["inputText"] for r in requests) == sorted(texts)
    assert {(r.json["dimensions"], r.json["normalize"]) for r in requests} == {(1024, True)}
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-6) for v in vectors)
    assert meter.embedding_calls == 20
    assert meter.input_tokens == sum(count_tokens(t) for t in texts)


def test_concurrent_batch_keeps_the_order_of_the_texts(fake_bedrock):
    embedder = titan()
    texts = ["revenue", "dividend", "goodwill impairment", "cash flow", "net debt"]

    batch = embedder.embed_documents(texts)

    assert batch == [embedder.embed_query(text) for text in texts]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_retried(fake_bedrock, status):
    fake_bedrock.fail_next(2, status=status)

    answer = chat().generate(MESSAGES)

    assert answer == "Fake Bedrock answer [1]."
    assert len(fake_bedrock.converse_requests()) == 3


def test_titan_timeouts_are_retried(fake_bedrock, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.3
    fake_bedrock.stall_next(1, seconds=1.5)

    vector = titan().embed_query("revenue")

    assert len(vector) == 1024
    assert len(fake_bedrock.invoke_requests()) == 2


def test_persistent_throttling_becomes_provider_unavailable(fake_bedrock, settings):
    settings.PROVIDER_MAX_RETRIES = 2
    fake_bedrock.fail_next(10, status=429)

    with pytest.raises(ProviderError) as caught:
        chat().generate(MESSAGES)

    assert caught.value.code == "provider_unavailable"
    assert "ThrottlingException" in caught.value.message
    assert len(fake_bedrock.converse_requests()) == 3


def test_a_failed_text_fails_the_whole_batch(fake_bedrock, settings):
    settings.PROVIDER_MAX_RETRIES = 0
    fake_bedrock.fail_next(1, status=503)

    with pytest.raises(ProviderError):
        titan().embed_documents(["a b", "c d", "e f"])


def test_validation_errors_are_not_retried(fake_bedrock):
    fake_bedrock.fail_next(1, status=400)

    with pytest.raises(ProviderError) as caught:
        chat().generate(MESSAGES)

    assert (caught.value.code, caught.value.retryable) == ("provider_error", False)
    assert len(fake_bedrock.converse_requests()) == 1
