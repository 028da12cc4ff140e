"""Fixtures: a loopback-only network for every test, fake credentials, and the fake servers."""

import socket
import sys

import pytest

from tests.fakes.bedrock_server import FakeBedrock
from tests.fakes.openai_server import FakeOpenAI

LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0", ""}  # noqa: S104 (bind-any)
# Any port nothing listens on: a test that forgets a fake fails fast instead of leaving.
NOWHERE = "http://127.0.0.1:9"

_jail_violations: list[str] = []


def _jail(event: str, args: tuple) -> None:
    if event == "socket.getaddrinfo":
        host = args[0].decode() if isinstance(args[0], bytes) else args[0]
        if host is not None and host not in LOOPBACK:
            _jail_violations.append(f"resolve {host}:{args[1]}")
            raise OSError(f"tests may only reach 127.0.0.1, not {host}")
    elif event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            _jail_violations.append(f"connect {address[0]}:{address[1]}")
            raise OSError(f"tests may only reach 127.0.0.1, not {address[0]}")


sys.addaudithook(_jail)


@pytest.fixture(autouse=True)
def loopback_only():
    """Fail any test that tried to reach a host other than 127.0.0.1 (even if it coped)."""
    _jail_violations.clear()
    yield
    assert not _jail_violations, f"test tried to leave 127.0.0.1: {_jail_violations}"


@pytest.fixture(autouse=True)
def provider_settings(settings, monkeypatch):
    """Fake keys and dead-end endpoints; small timeouts and retry budgets."""
    settings.OPENAI_API_KEY = "sk-test-fake"
    settings.OPENAI_BASE_URL = f"{NOWHERE}/v1"
    settings.BEDROCK_ENDPOINT_URL = NOWHERE
    settings.BEDROCK_REGION = "ap-southeast-2"
    settings.TAVILY_API_KEY = ""
    settings.TAVILY_BASE_URL = NOWHERE
    settings.PROVIDER_TIMEOUT_SECONDS = 5.0
    settings.PROVIDER_MAX_RETRIES = 3
    settings.PROVIDER_RETRY_BUDGET_SECONDS = 2.0
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTFAKEKEY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-fake-secret-key")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_openai(settings):
    server = FakeOpenAI().start()
    settings.OPENAI_BASE_URL = f"{server.url}/v1"
    yield server
    server.stop()


@pytest.fixture
def fake_bedrock(settings):
    server = FakeBedrock().start()
    settings.BEDROCK_ENDPOINT_URL = server.url
    yield server
    server.stop()
