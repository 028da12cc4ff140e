"""The provider interface: one chat model (with structured output) and one embedder.

Ingestion and the agents talk to models only through these classes, so the provider a
tenant gets (local, OpenAI, Bedrock) is decided in one place: providers.factory.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from threading import Lock
from typing import TypeVar

from langchain_core.messages import BaseMessage
from pydantic import BaseModel

from providers.registry import EMBEDDING_DIMENSIONS
from ragplatform.exceptions import DomainError

T = TypeVar("T", bound=BaseModel)


class ProviderError(DomainError):
    """A model provider failed. ``retryable`` says whether the same call may succeed later
    (the provider was unavailable: timeouts, connection errors, 429, 5xx, after
    providers.retry's own retries) or never will (credentials, a bad request, bad output)."""

    code = "provider_unavailable"
    status_code = 503

    def __init__(self, message: str, *, code: str | None = None, retryable: bool | None = None):
        super().__init__(message, code=code)
        # Unless told otherwise, only the default code ("unavailable") is worth retrying.
        self.retryable = self.code == ProviderError.code if retryable is None else retryable


class SovereigntyViolation(DomainError):
    """A configuration or call would move an AU tenant's data out of Australia."""

    code = "sovereignty_violation"
    status_code = 403


@dataclass
class UsageMeter:
    """Calls and tokens of every model call made for one query or one ingestion."""

    chat_calls: int = 0
    embedding_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    calls: list[dict] = field(default_factory=list)
    _lock: Lock = field(default_factory=Lock, repr=False, compare=False)

    def record(self, *, kind: str, model: str, input_tokens: int = 0, output_tokens: int = 0):
        with self._lock:
            if kind == "chat":
                self.chat_calls += 1
            else:
                self.embedding_calls += 1
            self.input_tokens += input_tokens
            self.output_tokens += output_tokens
            self.calls.append(
                {"kind": kind, "model": model, "in": input_tokens, "out": output_tokens}
            )

    def as_dict(self) -> dict:
        return {
            "chat_calls": self.chat_calls,
            "embedding_calls": self.embedding_calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
        }


class Embedder(ABC):
    """Turns text into 1024-dimension vectors; `model_id` is recorded on every chunk."""

    model_id: str
    dimensions: int = EMBEDDING_DIMENSIONS

    def __init__(self, meter: UsageMeter | None = None):
        self.meter = meter or UsageMeter()

    @abstractmethod
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    @abstractmethod
    def embed_query(self, text: str) -> list[float]: ...


class ChatModel(ABC):
    """A chat model that can answer in text or fill a pydantic schema (structured output)."""

    model_id: str

    def __init__(self, meter: UsageMeter | None = None):
        self.meter = meter or UsageMeter()

    @abstractmethod
    def generate(self, messages: list[BaseMessage]) -> str: ...

    @abstractmethod
    def structured(self, messages: list[BaseMessage], schema: type[T]) -> T: ...


@dataclass
class Provider:
    """What the factory hands out for one tenant and one unit of work."""

    name: str
    region: str | None
    chat: ChatModel
    embedder: Embedder
    meter: UsageMeter
    simulated: bool = False
