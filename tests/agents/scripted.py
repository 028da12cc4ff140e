"""A scripted chat model for graph tests: returns queued verdicts and records every call."""

from collections import defaultdict, deque
from dataclasses import dataclass

from providers.base import ChatModel


class ScriptedChat(ChatModel):
    model_id = "scripted"

    def __init__(self, *, structured=None, answers=None):
        super().__init__()
        self.queues = defaultdict(deque)
        for item in structured or []:
            self.queues[type(item)].append(item)
        self.answers = deque(answers or [])
        self.calls: list[str] = []
        self.prompts: list[str] = []  # each call's last (user) message

    def generate(self, messages) -> str:
        self.calls.append("generate")
        self.prompts.append(messages[-1].content)
        self.meter.record(kind="chat", model=self.model_id)
        return self.answers.popleft() if self.answers else "It is 42 [1]."

    def structured(self, messages, schema):
        self.calls.append(schema.__name__)
        self.prompts.append(messages[-1].content)
        self.meter.record(kind="chat", model=self.model_id)
        queue = self.queues[schema]
        if not queue:
            raise AssertionError(f"unexpected {schema.__name__} call")
        return queue.popleft()


@dataclass(frozen=True)
class FakePassage:
    text: str
    title: str = "Annual Report 2024"
    page: int = 3
    page_label: str = "3"
    document_id: str = "doc-1"
    snippet: str = ""
    score: float = 0.5


class ScriptedRetriever:
    def __init__(self, *results):
        self.results = list(results)
        self.queries: list[str] = []

    def __call__(self, query: str):
        self.queries.append(query)
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]
