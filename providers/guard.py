"""Process-level sovereignty guard: while an AU tenant's work runs, nothing may leave for OpenAI.

The factory already refuses to build an OpenAI (or out-of-region) provider for an AU tenant.
This module is the second line, for coding mistakes elsewhere (a hand-built ChatOpenAI, a
shared client, a web search the tenant never consented to). While a *sovereign scope* is
open for an AU tenant, every outbound HTTP request and every new connection is checked, and
one bound for OpenAI, Bedrock outside ap-southeast-2 or (without consent) Tavily raises
SovereigntyViolation before a byte is sent. Three hooks, installed once per process:

- ``Client.send`` / ``AsyncClient.send`` of httpx and httpx2 (the OpenAI SDK), per request so
  a pooled keep-alive connection opened for another tenant cannot be reused;
- ``urllib3``'s ``HTTPConnectionPool.urlopen`` (botocore, requests), also per request;
- a ``sys.addaudithook`` hook on ``socket.getaddrinfo``/``socket.connect``: any other client.

Scopes live in a ContextVar: ``SovereigntyMiddleware`` opens one per HTTP request (AU when
the authenticated API key's tenant is AU), the task_started/task_finished signals open one
per background task, ``sovereign_scope(tenant)`` opens one for a command, and
``provider_for`` marks the open scope AU when it serves an AU tenant.
Threads started without copying the context do not inherit a scope (see docs/sovereignty.md).
"""

import contextvars
import importlib
import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.tasks.signals import task_finished, task_started

from providers.base import SovereigntyViolation

log = structlog.get_logger(__name__)

AU_REGION = "ap-southeast-2"
OPENAI_DOMAINS = ("openai.com", "openai.azure.com", "oaiusercontent.com")
TAVILY_DOMAINS = ("tavily.com",)
_BEDROCK_HOST = re.compile(
    r"^bedrock(?:-runtime|-agent-runtime|-agent)?(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$"
)


@dataclass(frozen=True)
class _AuTenant:
    slug: str
    allow_web_search: bool


class _Scope:
    """One unit of work: a request, a task, a command. AU once marked; never downgraded."""

    def __init__(self, parent: "_Scope | None", request=None, task_id=None):
        self.parent = parent
        self.request = request
        self.task_id = task_id
        self.marked: _AuTenant | None = None

    def au_tenant(self) -> _AuTenant | None:
        scope = self
        while scope is not None:
            if scope.marked is not None:
                return scope.marked
            if scope.request is not None:
                principal = scope.request.__dict__.get("user")  # set by DRF auth; not lazy
                tenant = getattr(principal, "tenant", None)
                if tenant is not None and tenant.is_sovereign_au:
                    return _au(tenant)
            scope = scope.parent
        return None


_current: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "sovereignty_scope", default=None
)


def _au(tenant) -> _AuTenant:
    return _AuTenant(slug=tenant.slug, allow_web_search=bool(tenant.allow_web_search_outside_au))


@contextmanager
def sovereign_scope(tenant=None, *, request=None) -> Iterator[None]:
    """Run a unit of work in its own scope; AU for the whole block if ``tenant`` is AU."""
    scope = _Scope(_current.get(), request=request)
    if tenant is not None and tenant.is_sovereign_au:
        scope.marked = _au(tenant)
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


def mark(tenant) -> None:
    """Make the open scope AU for the rest of its life, if ``tenant`` is AU."""
    scope = _current.get()
    if scope is not None and tenant.is_sovereign_au and scope.marked is None:
        scope.marked = _au(tenant)


def current_au_tenant() -> str | None:
    """The slug of the AU tenant whose work is running here, or None."""
    scope = _current.get()
    found = scope.au_tenant() if scope is not None else None
    return found.slug if found else None


def _host_port(url: str) -> tuple[str, int] | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    return parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80)


def _in_domains(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def forbidden_reason(host: str, port: int | None, tenant: _AuTenant) -> str | None:
    """Why an AU tenant's data may not go to ``host:port``; None when it may."""
    host = (host or "").lower().rstrip(".")
    if _in_domains(host, OPENAI_DOMAINS) or (host, port) == _host_port(settings.OPENAI_BASE_URL):
        return "OpenAI is outside Australia"
    if (match := _BEDROCK_HOST.match(host)) and match.group(1) != AU_REGION:
        return f"Bedrock in {match.group(1)} is outside Australia"
    tavily = _in_domains(host, TAVILY_DOMAINS) or (host, port) == _host_port(
        settings.TAVILY_BASE_URL
    )
    if tavily and not tenant.allow_web_search:
        return "web search is outside Australia and the tenant has not consented"
    return None


def check_destination(host: str, port: int | None) -> None:
    """Raise SovereigntyViolation if AU work is running and ``host:port`` is not allowed."""
    scope = _current.get()
    if scope is None:
        return
    tenant = scope.au_tenant()
    if tenant is None:
        return
    if isinstance(port, str):
        port = int(port) if port.isdigit() else None
    reason = forbidden_reason(host, port, tenant)
    if reason:
        log.error("sovereignty.blocked", tenant=tenant.slug, host=host, port=port, reason=reason)
        raise SovereigntyViolation(
            f"Blocked a request to {host} for AU tenant {tenant.slug}: {reason}."
        )


def _audit(event: str, args: tuple) -> None:
    if event == "socket.getaddrinfo":
        if isinstance(args[0], str | bytes):
            host = args[0].decode() if isinstance(args[0], bytes) else args[0]
            check_destination(host, args[1])
    elif event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            check_destination(str(address[0]), address[1])


_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Install the hooks once per process (called from AgentsConfig.ready)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _patch_httpx()
        _patch_urllib3()
        sys.addaudithook(_audit)  # cannot be removed: that is the point
        task_started.connect(_task_started, dispatch_uid="sovereignty-task-started")
        task_finished.connect(_task_finished, dispatch_uid="sovereignty-task-finished")
        _installed = True


def _task_started(sender, task_result, **kwargs) -> None:
    # Sent in the thread (and context) that runs the task, just before it runs.
    parent = _current.get()
    while parent is not None and parent.task_id is not None:
        parent = parent.parent  # a task that never reported finishing: drop its scope
    _current.set(_Scope(parent, task_id=task_result.id))


def _task_finished(sender, task_result, **kwargs) -> None:
    scope = _current.get()
    if scope is not None and scope.task_id == task_result.id:
        _current.set(scope.parent)


def _check_httpx(request) -> None:
    url = request.url
    check_destination(url.host, url.port or (443 if url.scheme == "https" else 80))


def _patch_httpx() -> None:
    # openai>=3 sends through httpx2 (an API-compatible fork); other clients use httpx.
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        _patch_client_send(module.Client, module.AsyncClient)


def _patch_client_send(client_class, async_client_class) -> None:
    sync_send = client_class.send
    async_send = async_client_class.send

    def send(self, request, *args, **kwargs):
        _check_httpx(request)
        return sync_send(self, request, *args, **kwargs)

    async def asend(self, request, *args, **kwargs):
        _check_httpx(request)
        return await async_send(self, request, *args, **kwargs)

    client_class.send = send
    async_client_class.send = asend


def _patch_urllib3() -> None:
    from urllib3.connectionpool import HTTPConnectionPool

    urlopen = HTTPConnectionPool.urlopen

    def guarded_urlopen(self, method, url, *args, **kwargs):
        check_destination(self.host, self.port or (443 if self.scheme == "https" else 80))
        return urlopen(self, method, url, *args, **kwargs)

    HTTPConnectionPool.urlopen = guarded_urlopen


class SovereigntyMiddleware:
    """One scope per HTTP request: AU once DRF has authenticated an AU tenant's key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with sovereign_scope(request=request):
            return self.get_response(request)
