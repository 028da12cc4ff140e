"""AWS Bedrock: Claude through ChatBedrockConverse, Titan Text Embeddings V2 through InvokeModel.

AU tenants get Claude Haiku 4.5 through the AU cross-region inference profile (inference
stays in Australian regions) and Titan v2 at 1024 dimensions, normalised, in
ap-southeast-2. Requests are SigV4-signed by botocore with the default credential chain (the
ECS task role in production). Titan embeds one text per call, so batches run on a bounded
thread pool. botocore's own retries are off: providers.retry retries in budget.
"""

import contextvars
import json
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from django.conf import settings
from langchain_aws import ChatBedrockConverse
from langchain_core.messages import BaseMessage

from providers.base import (
    EMBEDDING_DIMENSIONS,
    ChatModel,
    Embedder,
    ProviderError,
    T,
    UsageMeter,
)
from providers.registry import BEDROCK
from providers.retry import call_with_retries, parsed_or_raise

BEDROCK_DEFAULT_CHAT_MODEL = BEDROCK.chat.default
BEDROCK_DEFAULT_EMBEDDING_MODEL = BEDROCK.embedding.default
TITAN_CONCURRENCY = 8
CHAT_MAX_TOKENS = 2048
_RETRYABLE_CODES = {
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
    "ModelTimeoutException",
}


def classify_bedrock_error(exc: Exception) -> str | None:
    """The retryable reason for a botocore error, or None if retrying cannot help."""
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return "timeout"
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError):
        return "connection error"
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = exc.response.get("Error", {}).get("Code", "")
        if status == 429 or status >= 500 or code in _RETRYABLE_CODES:
            return f"HTTP {status} {code}".strip()
    return None


@lru_cache(maxsize=16)
def _client(service: str, region: str, endpoint_url: str, timeout: float):
    # botocore clients are thread-safe and expensive to build: one per configuration.
    config = Config(
        region_name=region,
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"total_max_attempts": 1, "mode": "standard"},
        max_pool_connections=TITAN_CONCURRENCY + 2,
    )
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint_url or None, config=config
    )


def bedrock_runtime_client(region: str):
    return _client(
        "bedrock-runtime", region, settings.BEDROCK_ENDPOINT_URL, settings.PROVIDER_TIMEOUT_SECONDS
    )


class BedrockChatModel(ChatModel):
    """ChatBedrockConverse; structured output through a forced toolUse."""

    def __init__(self, meter: UsageMeter | None = None, *, model: str = "", region: str):
        super().__init__(meter)
        self.model_id = model or BEDROCK_DEFAULT_CHAT_MODEL
        self.region = region
        self._llm = ChatBedrockConverse(
            model=self.model_id,
            region_name=region,
            client=bedrock_runtime_client(region),
            bedrock_client=_client(
                "bedrock",
                region,
                settings.BEDROCK_ENDPOINT_URL,
                settings.PROVIDER_TIMEOUT_SECONDS,
            ),
            temperature=0,
            max_tokens=CHAT_MAX_TOKENS,
        )

    def _invoke(self, runnable, messages, operation: str):
        return call_with_retries(
            lambda: runnable.invoke(messages),
            provider="bedrock",
            operation=operation,
            classify=classify_bedrock_error,
        )

    def _record(self, message) -> None:
        usage = getattr(message, "usage_metadata", None) or {}
        self.meter.record(
            kind="chat",
            model=self.model_id,
            input_tokens=usage.get("input_tokens", 0),
            output_tokens=usage.get("output_tokens", 0),
        )

    def generate(self, messages: list[BaseMessage]) -> str:
        reply = self._invoke(self._llm, messages, "chat")
        self._record(reply)
        return reply.text

    def structured(self, messages: list[BaseMessage], schema: type[T]) -> T:
        runnable = self._llm.with_structured_output(schema, include_raw=True)
        result = self._invoke(runnable, messages, "structured output")
        self._record(result["raw"])
        return parsed_or_raise(result, schema, provider="bedrock")


class TitanEmbedder(Embedder):
    """Titan Text Embeddings V2 at 1024 dimensions, normalised; one text per InvokeModel."""

    def __init__(self, meter: UsageMeter | None = None, *, model: str = "", region: str):
        super().__init__(meter)
        self.model_id = model or BEDROCK_DEFAULT_EMBEDDING_MODEL
        self.region = region
        self._client = bedrock_runtime_client(region)

    def _invoke(self, text: str) -> list[float]:
        body = json.dumps(
            {"inputText": text, "dimensions": EMBEDDING_DIMENSIONS, "normalize": True}
        )
        response = call_with_retries(
            lambda: self._client.invoke_model(
                modelId=self.model_id,
                body=body,
                contentType="application/json",
                accept="application/json",
            ),
            provider="bedrock",
            operation="embeddings",
            classify=classify_bedrock_error,
        )
        payload = json.loads(response["body"].read())
        vector = payload.get("embedding") or []
        if len(vector) != EMBEDDING_DIMENSIONS:
            raise ProviderError(
                f"bedrock returned an embedding of {len(vector)} dimensions, "
                f"expected {EMBEDDING_DIMENSIONS}.",
                code="provider_bad_output",
            )
        self.meter.record(
            kind="embedding",
            model=self.model_id,
            input_tokens=int(payload.get("inputTextTokenCount", 0)),
        )
        return vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if len(texts) <= 1:
            return [self._invoke(text) for text in texts]
        with ThreadPoolExecutor(max_workers=min(TITAN_CONCURRENCY, len(texts))) as pool:
            # Each worker runs in a copy of this context, so the sovereignty scope follows.
            futures = [
                pool.submit(contextvars.copy_context().run, self._invoke, text) for text in texts
            ]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def embed_query(self, text: str) -> list[float]:
        return self._invoke(text)
