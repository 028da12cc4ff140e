"""A fake Bedrock runtime: Converse (text and toolUse) and InvokeModel for Titan v2 embeddings."""

import itertools
import re
from collections import deque
from urllib.parse import unquote

from tests.fakes.server import (
    FakeServer,
    RecordedRequest,
    Reply,
    count_tokens,
    example_for,
    fake_vector,
)

TITAN_V2 = "amazon.titan-embed-text-v2:0"
_ROUTE = re.compile(r"^/model/(?P<model>[^/]+)/(?P<action>converse|invoke)$")
_ERRORS = {
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


def _text(blocks) -> str:
    return " ".join(b.get("text", "") for b in blocks or [] if isinstance(b, dict))


class FakeBedrock(FakeServer):
    """Refuses unsigned requests like the real service; otherwise answers like FakeOpenAI."""

    name = "fake-bedrock"

    def __init__(self):
        super().__init__()
        self.replies: deque = deque()
        self.responder = None
        self._ids = itertools.count(1)

    def error_reply(self, status: int) -> Reply:
        error = _ERRORS.get(status, "ValidationException")
        return Reply(status, {"message": f"fake {status}"}, {"x-amzn-ErrorType": error})

    @staticmethod
    def model_of(request: RecordedRequest) -> str | None:
        match = _ROUTE.match(request.path)
        return unquote(match["model"]) if match else None

    def converse_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/converse")]

    def invoke_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/invoke")]

    def handle(self, request: RecordedRequest) -> Reply:
        if not request.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 "):
            return Reply(
                403,
                {"message": "Missing Authentication Token"},
                {"x-amzn-ErrorType": "AccessDeniedException"},
            )
        match = _ROUTE.match(request.path)
        if request.method != "POST" or not match:
            return Reply(404, {"message": "Unknown operation"}, {"x-amzn-ErrorType": "Unknown"})
        model = unquote(match["model"])
        if match["action"] == "converse":
            if "claude" not in model:
                return self._invalid(f"The provided model identifier is invalid: {model}")
            return self._converse(request.json)
        if model != TITAN_V2:
            return self._invalid(f"The provided model identifier is invalid: {model}")
        return self._titan(request.json)

    def _invalid(self, message: str) -> Reply:
        return Reply(400, {"message": message}, {"x-amzn-ErrorType": "ValidationException"})

    def _converse(self, body: dict) -> Reply:
        prompt = " ".join(
            [_text(body.get("system"))] + [_text(m.get("content")) for m in body["messages"]]
        )
        scripted = self.replies.popleft() if self.replies else None
        if scripted is None and self.responder is not None:
            scripted = self.responder(body)
        tool_config = body.get("toolConfig") or {}
        if tool_config.get("tools"):
            forced = (tool_config.get("toolChoice") or {}).get("tool", {}).get("name")
            specs = [t["toolSpec"] for t in tool_config["tools"] if "toolSpec" in t]
            spec = next((s for s in specs if s["name"] == forced), specs[0])
            value = scripted if scripted is not None else example_for(spec["inputSchema"]["json"])
            content = [
                {
                    "toolUse": {
                        "toolUseId": f"tooluse_fake{next(self._ids)}",
                        "name": spec["name"],
                        "input": value,
                    }
                }
            ]
            output, stop = str(value), "tool_use"
        else:
            output = scripted if scripted is not None else "Fake Bedrock answer [1]."
            content, stop = [{"text": output}], "end_turn"
        input_tokens, output_tokens = count_tokens(prompt), count_tokens(output)
        return Reply(
            200,
            {
                "output": {"message": {"role": "assistant", "content": content}},
                "stopReason": stop,
                "usage": {
                    "inputTokens": input_tokens,
                    "outputTokens": output_tokens,
                    "totalTokens": input_tokens + output_tokens,
                },
                "metrics": {"latencyMs": 1},
            },
        )

    def _titan(self, body: dict) -> Reply:
        text = body.get("inputText")
        dimensions = body.get("dimensions", 1024)
        if not isinstance(text, str) or not text or dimensions not in (256, 512, 1024):
            return self._invalid("inputText must be a non-empty string; dimensions 256|512|1024")
        vector = fake_vector(text, dimensions, salt="titan")
        if body.get("normalize") is False:
            vector = [v * 3.0 for v in vector]  # like Titan: unnormalised vectors are longer
        return Reply(
            200,
            {
                "embedding": vector,
                "embeddingsByType": {"float": vector},
                "inputTextTokenCount": count_tokens(text),
            },
        )
