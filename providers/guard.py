"""Process-level sovereignty guard: while an AU tenant's work runs, its data may go only to
Australian destinations.

The factory already refuses to build an OpenAI (or out-of-region) provider for an AU tenant.
This module is the second line, for coding mistakes elsewhere (a hand-built ChatOpenAI, a
shared client, a web search the tenant never consented to, a provider or library added
later). While a *sovereign scope* is open for an AU tenant, every outbound HTTP request and
every new connection is checked against an allowlist, and anything else raises
SovereigntyViolation before a byte is sent. Allowed: the AWS endpoints in ap-southeast-2
that the registry's AU providers call (Bedrock) and that the platform uses (S3, Secrets
Manager, STS), the AWS credential endpoints on the host, the database host(s), and this
machine (loopback) — except the configured endpoint of a provider that may not serve AU
tenants (OPENAI_BASE_URL), and web search (Tavily) unless the tenant consented. Hooks,
installed once per process:

- a ``sys.addaudithook`` hook on ``socket.getaddrinfo``/``socket.connect``/``socket.sendto``:
  any Python client, per name resolved and per new connection; a connection to an address
  is allowed only if that address was resolved from an allowed name (or is allowed itself);
- ``Client.send`` / ``AsyncClient.send`` of httpx and httpx2 (the OpenAI SDK), per request so
  a pooled keep-alive connection opened for another tenant cannot be reused;
- ``urllib3``'s ``HTTPConnectionPool.urlopen`` (botocore, requests), also per request.

Scopes live in a ContextVar: ``SovereigntyMiddleware`` opens one per HTTP request (AU when
the authenticated API key's tenant is AU), the task_started/task_finished signals open one
per background task, ``sovereign_scope(tenant)`` opens one for a command, and
``provider_for`` marks the open scope AU when it serves an AU tenant.
Threads started without copying the context do not inherit a scope (see docs/sovereignty.md).
"""

import contextvars
import importlib
import ipaddress
import re
import socket
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.tasks.signals import task_finished, task_started

from providers import registry
from providers.base import SovereigntyViolation

log = structlog.get_logger(__name__)

AU_REGION = registry.AU_REGION
TAVILY_DOMAINS = ("tavily.com",)
# AWS services the platform itself uses with AU data: documents in S3, Secrets Manager at
# start-up, STS for credentials.
AU_PLATFORM_HOSTS = tuple(
    f"{service}.{AU_REGION}.amazonaws.com"
    for service in ("s3", "s3.dualstack", "secretsmanager", "sts")
)
# Where botocore fetches the ECS task role's (or an instance's) credentials: on the host.
AWS_CREDENTIAL_ENDPOINTS = frozenset(
    {"169.254.170.2", "169.254.170.23", "169.254.169.254", "fd00:ec2::23", "fd00:ec2::254"}
)
_AWS_REGION_HOST = re.compile(r"\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(?:vpce\.)?amazonaws\.com$")
# Addresses resolved from names AU work may reach, so a connection to one of them can be
# judged by its name (bounded: a few endpoints resolve to a handful of addresses each).
_RESOLVED_MAX = 4096
_resolved: OrderedDict[str, str] = OrderedDict()
_resolved_lock = threading.Lock()


@dataclass(frozen=True)
class _AuTenant:
    slug: str
    allow_web_search: bool


_CONSENTING = _AuTenant(slug="", allow_web_search=True)  # the most an AU tenant may reach


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


def _normal(host: str) -> str:
    """One spelling per host: lower case, no trailing dot or brackets, canonical addresses."""
    host = (host or "").lower().rstrip(".").strip("[]")
    address = _ip(host)
    return str(address) if address is not None else host


def _host_port(url: str) -> tuple[str, int] | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    return _normal(parts.hostname), parts.port or (443 if parts.scheme == "https" else 80)


def _in_domains(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _au_hosts() -> tuple[str, ...]:
    """Domains AU work may reach: the AU providers' endpoints (registry) and the platform's."""
    hosts = [host for spec in registry.PROVIDERS.values() for host in spec.au_hosts()]
    hosts.extend(AU_PLATFORM_HOSTS)
    # Interface VPC endpoints: vpce-….<service>.ap-southeast-2.vpce.amazonaws.com.
    hosts.extend(
        h.replace(".amazonaws.com", ".vpce.amazonaws.com")
        for h in list(hosts)
        if h.endswith(".amazonaws.com")
    )
    return tuple(hosts)


def _database_hosts() -> set[str]:
    hosts = set()
    for database in settings.DATABASES.values():
        for host in str(database.get("HOST") or "").split(","):
            if host.strip() and not host.strip().startswith("/"):  # a path: a Unix socket
                hosts.add(_normal(host.strip()))
    return hosts


def forbidden_reason(host: str, port: int | None, tenant: _AuTenant) -> str | None:
    """Why an AU tenant's data may not go to ``host:port``; None when it may."""
    host = _normal(host)
    if not host:
        return None  # a local (passive) lookup, not a destination
    address = _ip(host)
    for spec in registry.PROVIDERS.values():
        if spec.serves_au:
            continue
        endpoint = _host_port(
            getattr(settings, spec.endpoint_setting) if spec.endpoint_setting else ""
        )
        if _in_domains(host, spec.hosts) or (host, port) == endpoint:
            return f"{spec.label} is outside Australia"
    if _in_domains(host, TAVILY_DOMAINS) or (host, port) == _host_port(settings.TAVILY_BASE_URL):
        if tenant.allow_web_search:
            return None
        return "web search is outside Australia and the tenant has not consented"
    if host == "localhost" or (
        address is not None and (address.is_loopback or address.is_unspecified)
    ):
        return None
    if host in AWS_CREDENTIAL_ENDPOINTS or host in _database_hosts():
        return None
    if address is not None:
        with _resolved_lock:
            name = _resolved.get(str(address))
        if name is not None:
            return forbidden_reason(name, port, tenant)  # judged by the name it came from
        return f"{host} is not an address resolved from an allowed name"
    if _in_domains(host, _au_hosts()):
        return None
    if (match := _AWS_REGION_HOST.search(host)) and match.group(1) != AU_REGION:
        return f"{host} is in {match.group(1)}, outside Australia"
    return f"{host} is not an Australian destination this platform uses"


def _remember_resolution(name: str, results) -> None:
    """Note the addresses of a name AU work may reach (with consent, for web search)."""
    name = _normal(name)
    if _ip(name) is not None or forbidden_reason(name, None, _CONSENTING) is not None:
        return
    with _resolved_lock:
        for *_, sockaddr in results:
            address = _normal(str(sockaddr[0]))
            _resolved[address] = name
            _resolved.move_to_end(address)
        while len(_resolved) > _RESOLVED_MAX:
            _resolved.popitem(last=False)


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
    elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            check_destination(str(address[0]), address[1])


def _patch_getaddrinfo() -> None:
    # The audit hook sees a lookup before it runs, not its answer: note the answer here, so
    # that a connection to the address can be judged by the name it came from.
    getaddrinfo = socket.getaddrinfo

    def remembering_getaddrinfo(host, port, *args, **kwargs):
        results = getaddrinfo(host, port, *args, **kwargs)
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str) and name:
            _remember_resolution(name, results)
        return results

    socket.getaddrinfo = remembering_getaddrinfo


_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Install the hooks once per process (called from ProvidersConfig.ready)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _patch_getaddrinfo()
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
