"""Structured logging (structlog): JSON lines or console lines, and the per-request log line.

Production (CloudWatch) and any stderr that is not a terminal get one JSON object per line;
a terminal gets readable console lines. LOG_FORMAT=json|console (settings) forces either.
"""

import logging
import time
import uuid
from typing import TextIO

import structlog

log = structlog.get_logger(__name__)

_SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def is_terminal(stream: TextIO | None) -> bool:
    """Whether ``stream`` is attached to a terminal (False for pipes, files and None)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def default_log_format(*, production: bool, stream: TextIO | None) -> str:
    """JSON in production and whenever nobody reads ``stream`` in a terminal, else console."""
    return "console" if not production and is_terminal(stream) else "json"


def configure_structlog() -> None:
    """Route structlog through stdlib logging, whose formatter renders JSON or console lines."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def json_formatter() -> logging.Formatter:
    """The stdlib formatter that renders both structlog and plain logging records as JSON."""
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        foreign_pre_chain=_SHARED_PROCESSORS,
    )


def console_formatter(colors: bool = False) -> logging.Formatter:
    """The stdlib formatter that renders every record as one readable line (for terminals)."""
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # The console renderer formats exceptions itself (format_exc_info would flatten them).
            structlog.dev.ConsoleRenderer(colors=colors),
        ],
        foreign_pre_chain=_SHARED_PROCESSORS,
    )


class RequestLogMiddleware:
    """Bind a request id for every log line of a request and log one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        response["X-Request-ID"] = request_id
        tenant = getattr(getattr(request, "user", None), "tenant", None)
        log.info(
            "http.request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=duration_ms,
            tenant=getattr(tenant, "slug", None),
        )
        structlog.contextvars.clear_contextvars()
        return response
