"""A fake OpenAI API: /v1/chat/completions (text, json_schema, tool calls) and /v1/embeddings."""

import base64
import itertools
import json
import struct
from collections import deque

from tests.fakes.server import (
    FakeServer,
    RecordedRequest,
    Reply,
    count_tokens,
    example_for,
    fake_vector,
)

DEFAULT_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}


def _text(content) -> str:
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


class FakeOpenAI(FakeServer):
    """Answers with scripted replies (``replies``, or ``responder(body)``), else defaults:
    a short text answer, or a minimal instance of the requested schema."""

    name = "fake-openai"

    def __init__(self):
        super().__init__()
        self.replies: deque = deque()
        self.responder = None
        self._ids = itertools.count(1)

    def error_reply(self, status: int) -> Reply:
        kinds = {429: "rate_limit_exceeded", 500: "server_error", 503: "server_error"}
        return Reply(
            status,
            {"error": {"message": f"fake {status}", "type": kinds.get(status, "error")}},
        )

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/chat/completions"]

    def embedding_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/embeddings"]

    def handle(self, request: RecordedRequest) -> Reply:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return Reply(401, {"error": {"message": "No API key provided.", "type": "auth"}})
        if request.method == "POST" and request.path == "/v1/chat/completions":
            return self._chat(request.json)
        if request.method == "POST" and request.path == "/v1/embeddings":
            return self._embeddings(request.json)
        return Reply(404, {"error": {"message": f"no route {request.path}", "type": "invalid"}})

    def _next_reply(self, body: dict):
        if self.replies:
            return self.replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return None

    def _chat(self, body: dict) -> Reply:
        prompt = " ".join(_text(m.get("content")) for m in body.get("messages", []))
        scripted = self._next_reply(body)
        message: dict = {"role": "assistant", "content": None, "refusal": None}
        finish = "stop"
        response_format = body.get("response_format") or {}
        tools = body.get("tools") or []
        if response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            value = scripted if scripted is not None else example_for(schema)
            message["content"] = json.dumps(value)
            output = message["content"]
        elif tools:
            choice = body.get("tool_choice")
            name = (
                choice["function"]["name"]
                if isinstance(choice, dict)
                else tools[0]["function"]["name"]
            )
            tool = next(t for t in tools if t["function"]["name"] == name)
            parameters = tool["function"]["parameters"]
            value = scripted if scripted is not None else example_for(parameters)
            output = json.dumps(value)
            message["tool_calls"] = [
                {
                    "id": f"call_fake_{next(self._ids)}",
                    "type": "function",
                    "function": {"name": name, "arguments": output},
                }
            ]
            finish = "tool_calls"
        else:
            message["content"] = scripted if scripted is not None else "Fake OpenAI answer [1]."
            output = message["content"]
        prompt_tokens, completion_tokens = count_tokens(prompt), count_tokens(output)
        return Reply(
            200,
            {
                "id": f"chatcmpl-fake-{next(self._ids)}",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": body.get("model"),
                "system_fingerprint": "fp_fake",
                "choices": [
                    {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )

    def _embeddings(self, body: dict) -> Reply:
        model = body.get("model", "")
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
        if not inputs or not all(isinstance(i, str) and i for i in inputs):
            return Reply(400, {"error": {"message": "input must be non-empty strings"}})
        dimensions = body.get("dimensions") or DEFAULT_DIMENSIONS.get(model, 1536)
        data = []
        for index, text in enumerate(inputs):
            vector = fake_vector(text, dimensions, salt="openai:" + model)
            if body.get("encoding_format") == "base64":
                vector = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": vector})
        tokens = sum(count_tokens(text) for text in inputs)
        return Reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )
