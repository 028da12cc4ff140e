"""A threaded HTTP server on 127.0.0.1 that records every request and can script faults."""

import hashlib
import json
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class RecordedRequest:
    method: str
    path: str  # as sent, still percent-encoded
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    @property
    def unquoted_path(self) -> str:
        return unquote(self.path)


@dataclass
class Fault:
    status: int | None = None  # an HTTP error status, or None for a timeout
    delay: float = 0.0  # seconds to stall before answering (a timeout when > client timeout)


@dataclass
class Reply:
    status: int
    payload: object
    headers: dict[str, str] = field(default_factory=dict)


def fake_vector(text: str, dimensions: int, *, salt: str) -> list[float]:
    """Deterministic, lexical, L2-normalised: texts sharing words point the same way."""
    vector = [0.0] * dimensions
    for word in _WORD.findall(text.lower()):
        digest = int.from_bytes(hashlib.blake2b((salt + word).encode(), digest_size=8).digest())
        vector[digest % dimensions] += 1.0 if digest >> 63 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    if not any(vector):
        vector[0], norm = 1.0, 1.0
    return [v / norm for v in vector]


def count_tokens(text: str) -> int:
    """What the fakes report as token counts: one per word (deterministic, checkable)."""
    return len(text.split())


def example_for(schema: dict, defs: dict | None = None):
    """A minimal valid instance of a JSON schema (what a fake model answers by default)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_for(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example_for(options[0], defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {name: example_for(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_for(schema.get("items", {"type": "string"}), defs)]
    return {"string": "fake", "integer": 1, "number": 1.0, "boolean": True}.get(kind)


class FakeServer:
    """Subclasses implement ``handle(request) -> Reply``; faults are served first, in order."""

    name = "fake"

    def __init__(self):
        self.requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._successes_left: int | None = None  # then every request fails (fail_after)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- scripting -------------------------------------------------------------------------
    def fail_next(self, count: int = 1, *, status: int = 503) -> None:
        """The next ``count`` requests get ``status`` (429, 500, 503…)."""
        with self._lock:
            self._faults.extend(Fault(status=status) for _ in range(count))

    def fail_after(self, successes: int, *, status: int = 503) -> None:
        """Answer ``successes`` more requests, then fail every one with ``status``."""
        with self._lock:
            self._successes_left = successes
            self._fail_after_status = status

    def stall_next(self, count: int = 1, *, seconds: float = 2.0) -> None:
        """The next ``count`` requests stall ``seconds`` before answering (client timeouts)."""
        with self._lock:
            self._faults.extend(Fault(delay=seconds) for _ in range(count))

    def error_reply(self, status: int) -> Reply:
        raise NotImplementedError

    def handle(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeServer":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # keep test output clean
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedRequest(
                    method=self.command,
                    path=urlsplit(self.path).path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                with fake._lock:
                    fake.requests.append(request)
                    fault = fake._faults.popleft() if fake._faults else None
                    if fault is None and fake._successes_left is not None:
                        if fake._successes_left == 0:
                            fault = Fault(status=fake._fail_after_status)
                        else:
                            fake._successes_left -= 1
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                if fault is not None and fault.status:
                    reply = fake.error_reply(fault.status)
                else:
                    try:
                        reply = fake.handle(request)
                    except Exception as exc:  # a bug in a test's responder: say so, loudly
                        reply = Reply(500, {"message": f"fake server error: {exc!r}"})
                body = json.dumps(reply.payload).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            do_POST = _serve
            do_GET = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=self.name, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self._successes_left = None
