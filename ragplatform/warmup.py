"""Work a web worker does once at start instead of on its first requests.

Django imports the URL configuration (and with it every view, DRF and the schema views) on
the first request, and the agent graphs compile on the first question: about a quarter of a
second that the first requests of every new worker waited for, including each worker that
gunicorn's --max-requests recycles. No database access here: gunicorn may load the app
before it forks.
"""

import time

import structlog

log = structlog.get_logger(__name__)


def warm_up() -> None:
    started = time.perf_counter()
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils.module_loading import import_string

    get_resolver().url_patterns  # noqa: B018 - the property imports every URL module
    import_string(settings.MESSAGE_STORAGE)

    from agents.adaptive_rag import compile_all

    graphs = compile_all()
    log.info("worker.warmed_up", graphs=graphs, ms=round((time.perf_counter() - started) * 1000))
