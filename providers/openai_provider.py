"""OpenAI: chat through langchain-openai's ChatOpenAI, embeddings through the OpenAI SDK.

Never used for AU tenants (the factory refuses, the guard blocks). Embeddings are
`text-embedding-3-small` at 1024 dimensions, so they share the one vector(1024) column.
The SDKs' own retries are off: providers.retry retries within the platform budget.
"""

import openai
from django.conf import settings
from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI

from providers.base import (
    EMBEDDING_DIMENSIONS,
    ChatModel,
    Embedder,
    ProviderError,
    T,
    UsageMeter,
)
from providers.registry import OPENAI
from providers.retry import call_with_retries, parsed_or_raise

OPENAI_DEFAULT_CHAT_MODEL = OPENAI.chat.default
OPENAI_DEFAULT_EMBEDDING_MODEL = OPENAI.embedding.default
# OpenAI takes up to 2048 inputs per request; smaller requests fail and retry cheaper.
EMBEDDING_REQUEST_SIZE = 256


def classify_openai_error(exc: Exception) -> str | None:
    """The retryable reason for an OpenAI SDK error, or None if retrying cannot help."""
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection error"
    if isinstance(exc, openai.APIStatusError) and (
        exc.status_code == 429 or exc.status_code >= 500
    ):
        return f"HTTP {exc.status_code}"
    return None


def _usage(message) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return usage.get("input_tokens", 0), usage.get("output_tokens", 0)


class OpenAIChatModel(ChatModel):
    """ChatOpenAI on the Chat Completions API; structured output via json_schema."""

    def __init__(self, meter: UsageMeter | None = None, *, model: str = ""):
        super().__init__(meter)
        self.model_id = model or OPENAI_DEFAULT_CHAT_MODEL
        self._llm = ChatOpenAI(
            model=self.model_id,
            api_key=settings.OPENAI_API_KEY or "missing-openai-api-key",
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=settings.PROVIDER_TIMEOUT_SECONDS,
            max_retries=0,
            temperature=0,
            use_responses_api=False,
        )

    def _invoke(self, runnable, messages, operation: str):
        return call_with_retries(
            lambda: runnable.invoke(messages),
            provider="openai",
            operation=operation,
            classify=classify_openai_error,
        )

    def generate(self, messages: list[BaseMessage]) -> str:
        reply = self._invoke(self._llm, messages, "chat")
        input_tokens, output_tokens = _usage(reply)
        self.meter.record(
            kind="chat", model=self.model_id, input_tokens=input_tokens, output_tokens=output_tokens
        )
        return reply.text

    def structured(self, messages: list[BaseMessage], schema: type[T]) -> T:
        runnable = self._llm.with_structured_output(schema, method="json_schema", include_raw=True)
        result = self._invoke(runnable, messages, "structured output")
        input_tokens, output_tokens = _usage(result["raw"])
        self.meter.record(
            kind="chat", model=self.model_id, input_tokens=input_tokens, output_tokens=output_tokens
        )
        return parsed_or_raise(result, schema, provider="openai")


class OpenAIEmbedder(Embedder):
    """`text-embedding-3-small` (or the tenant's model) at 1024 dimensions, batched."""

    def __init__(self, meter: UsageMeter | None = None, *, model: str = ""):
        super().__init__(meter)
        self.model_id = model or OPENAI_DEFAULT_EMBEDDING_MODEL
        self._client = openai.OpenAI(
            api_key=settings.OPENAI_API_KEY or "missing-openai-api-key",
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=settings.PROVIDER_TIMEOUT_SECONDS,
            max_retries=0,
        )

    def _embed(self, texts: list[str]) -> list[list[float]]:
        response = call_with_retries(
            lambda: self._client.embeddings.create(
                model=self.model_id,
                input=texts,
                dimensions=EMBEDDING_DIMENSIONS,
                # No encoding_format: the SDK then fetches base64 and decodes it with numpy,
                # far cheaper than parsing 1024 JSON floats per text.
            ),
            provider="openai",
            operation="embeddings",
            classify=classify_openai_error,
        )
        self.meter.record(
            kind="embedding",
            model=self.model_id,
            input_tokens=response.usage.prompt_tokens if response.usage else 0,
        )
        vectors = [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
        if len(vectors) != len(texts) or any(len(v) != EMBEDDING_DIMENSIONS for v in vectors):
            raise ProviderError(
                f"openai returned {len(vectors)} embeddings of the wrong shape for "
                f"{len(texts)} texts.",
                code="provider_bad_output",
            )
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), EMBEDDING_REQUEST_SIZE):
            vectors.extend(self._embed(texts[start : start + EMBEDDING_REQUEST_SIZE]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]
