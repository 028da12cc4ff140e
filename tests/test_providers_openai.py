"""The OpenAI provider against the fake OpenAI server: chat, structured output, embeddings,
usage accounting and retries."""

import math

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from providers.base import ProviderError, UsageMeter
from providers.openai_provider import OpenAIChatModel, OpenAIEmbedder
from tests.fakes.server import count_tokens

MESSAGES = [SystemMessage("You answer briefly."), HumanMessage("What was revenue in 2024?")]


class Verdict(BaseModel):
    relevant: list[int] = Field(description="Numbers of relevant passages.")
    reason: str


def test_generate_returns_text_and_records_reported_tokens(fake_openai):
    fake_openai.replies.append("Revenue was $4.2bn [1].")
    meter = UsageMeter()

    answer = OpenAIChatModel(meter, model="gpt-4.1-mini").generate(MESSAGES)

    assert answer == "Revenue was $4.2bn [1]."
    (request,) = fake_openai.chat_requests()
    assert request.headers["authorization"] == "Bearer sk-test-fake"
    assert request.json["model"] == "gpt-4.1-mini"
    assert [m["role"] for m in request.json["messages"]] == ["system", "user"]
    prompt = "You answer briefly. What was revenue in 2024?"
    assert meter.as_dict() == {
        "chat_calls": 1,
        "embedding_calls": 0,
        "input_tokens": count_tokens(prompt),
        "output_tokens": count_tokens(answer),
    }


def test_blank_chat_model_uses_the_default(fake_openai):
    OpenAIChatModel(model="").generate(MESSAGES)

    assert fake_openai.chat_requests()[0].json["model"] == "gpt-4.1-mini"


def test_structured_output_sends_json_schema_and_parses_the_reply(fake_openai):
    fake_openai.replies.append({"relevant": [2, 3], "reason": "they mention revenue"})
    meter = UsageMeter()

    verdict = OpenAIChatModel(meter).structured(MESSAGES, Verdict)

    assert verdict == Verdict(relevant=[2, 3], reason="they mention revenue")
    response_format = fake_openai.chat_requests()[0].json["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Verdict"
    assert set(response_format["json_schema"]["schema"]["properties"]) == {"relevant", "reason"}
    assert meter.chat_calls == 1 and meter.output_tokens > 0


def test_structured_output_that_does_not_fit_the_schema_is_a_provider_error(fake_openai):
    fake_openai.replies.append({"relevant": "not a list"})

    with pytest.raises(ProviderError) as caught:
        OpenAIChatModel().structured(MESSAGES, Verdict)

    assert caught.value.code == "provider_bad_output"


def test_fake_answers_tool_calls_as_langchain_openai_sends_them(fake_openai, settings):
    # The fake must also speak function calling (method="function_calling"), which other
    # callers of ChatOpenAI use; the provider itself uses json_schema.
    fake_openai.replies.append({"relevant": [1], "reason": "r"})
    llm = ChatOpenAI(
        model="gpt-4.1-mini",
        api_key="sk-test-fake",
        base_url=settings.OPENAI_BASE_URL,
        max_retries=0,
        use_responses_api=False,
    )

    verdict = llm.with_structured_output(Verdict, method="function_calling").invoke(MESSAGES)

    assert verdict == Verdict(relevant=[1], reason="r")
    body = fake_openai.chat_requests()[0].json
    assert body["tool_choice"]["function"]["name"] == "Verdict"
    assert body["tools"][0]["function"]["name"] == "Verdict"


def test_embeddings_are_1024_dimensional_and_batched_in_one_request(fake_openai):
    meter = UsageMeter()
    texts = ["Revenue rose 12 per cent.", "Net profit after tax", "Dividend per share"]

    vectors = OpenAIEmbedder(meter).embed_documents(texts)

    assert [len(v) for v in vectors] == [1024, 1024, 1024]
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-6) for v in vectors)
    (request,) = fake_openai.embedding_requests()
    assert request.json["model"] == "text-embedding-3-small"
    assert request.json["dimensions"] == 1024
    assert request.json["input"] == texts
    assert meter.embedding_calls == 1
    assert meter.input_tokens == sum(count_tokens(t) for t in texts)


def test_embed_query_matches_the_document_vector_of_the_same_text(fake_openai):
    embedder = OpenAIEmbedder()

    assert embedder.embed_query("Revenue") == embedder.embed_documents(["Revenue"])[0]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_are_retried_until_success(fake_openai, status):
    fake_openai.fail_next(2, status=status)
    meter = UsageMeter()

    answer = OpenAIChatModel(meter).generate(MESSAGES)

    assert answer == "Fake OpenAI answer [1]."
    assert len(fake_openai.chat_requests()) == 3
    assert meter.chat_calls == 1  # failed attempts report no usage


def test_timeouts_are_retried(fake_openai, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.3
    fake_openai.stall_next(1, seconds=1.5)

    vectors = OpenAIEmbedder().embed_documents(["Revenue"])

    assert len(vectors[0]) == 1024
    assert len(fake_openai.embedding_requests()) == 2


def test_persistent_failure_becomes_provider_unavailable_after_max_retries(fake_openai, settings):
    settings.PROVIDER_MAX_RETRIES = 2
    fake_openai.fail_next(10, status=503)

    with pytest.raises(ProviderError) as caught:
        OpenAIChatModel().generate(MESSAGES)

    assert caught.value.code == "provider_unavailable"
    assert caught.value.status_code == 503
    assert caught.value.retryable  # the same call may succeed later
    assert len(fake_openai.chat_requests()) == 3


def test_retries_stop_when_the_budget_is_spent(fake_openai, settings):
    settings.PROVIDER_MAX_RETRIES = 1000
    settings.PROVIDER_RETRY_BUDGET_SECONDS = 0.2
    fake_openai.fail_next(1000, status=429)

    with pytest.raises(ProviderError, match="429"):
        OpenAIEmbedder().embed_query("Revenue")

    assert 1 <= len(fake_openai.embedding_requests()) < 1000


def test_bad_credentials_are_not_retried_and_say_so(fake_openai):
    fake_openai.fail_next(1, status=401)

    with pytest.raises(ProviderError) as caught:
        OpenAIEmbedder().embed_query("Revenue")

    assert (caught.value.code, caught.value.retryable) == ("provider_error", False)
    assert len(fake_openai.embedding_requests()) == 1


def test_client_errors_are_not_retried(fake_openai):
    fake_openai.fail_next(1, status=400)

    with pytest.raises(ProviderError) as caught:
        OpenAIChatModel().generate(MESSAGES)

    assert caught.value.code == "provider_error"
    assert len(fake_openai.chat_requests()) == 1
