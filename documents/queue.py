"""The task backend, as documents' services see it: queue an ingestion, schedule its
watchdog, and end the ingestion tasks a dead worker left "running".

Imports run one way: documents.tasks (thin wrappers) import the services, the services
import this module, and this module never imports documents.tasks. It names the tasks by
their import path instead: the name the task backend stores (django-tasks-db's task_path)
and the worker imports a task by. It is the only module that reads the backend's tables.
"""

from datetime import timedelta

import structlog
from django.conf import settings
from django.tasks import Task, task_backends
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

log = structlog.get_logger(__name__)

INGEST_TASK = "documents.tasks.ingest_document"
WATCHDOG_TASK = "documents.tasks.watch_document"


class IngestionWorkerLost(Exception):
    """Recorded on an ingestion task whose worker died before the task ended."""


def _task(path: str) -> Task:
    return import_string(path)


def ingestion_enqueue(*, document_id: str, tenant_id: str) -> None:
    """Queue the document's ingestion (the task runs in its tenant's row-level scope)."""
    _task(INGEST_TASK).enqueue(document_id=document_id, tenant_id=tenant_id)


def watchdog_schedule(*, document_id: str, tenant_id: str) -> None:
    """Check on the document after DOCUMENT_WATCHDOG_SECONDS (if the backend can defer)."""
    watch = _task(WATCHDOG_TASK)
    if not task_backends[watch.backend].supports_defer:
        return
    run_after = timezone.now() + timedelta(seconds=settings.DOCUMENT_WATCHDOG_SECONDS)
    watch.using(run_after=run_after).enqueue(document_id=document_id, tenant_id=tenant_id)


def lost_ingestion_tasks_fail(*, document_id: str, resumes_after_page: int) -> None:
    """Mark the document's ingestion tasks still "running" as failed: django-tasks-db leaves a
    killed worker's task running for ever. Call with the document's lock held, so that no
    live worker is ingesting it and every such task is a dead worker's (a live worker that
    has claimed its task but not yet taken the lock, for milliseconds, would be marked too;
    its own result replaces the mark when the task ends)."""
    lost = DBTaskResult.objects.running().filter(
        task_path=INGEST_TASK, args_kwargs__kwargs__document_id=document_id
    )
    for result in lost:
        result.set_failed(
            IngestionWorkerLost(
                f"Worker {', '.join(result.worker_ids) or '?'} stopped before this task "
                f"ended (it no longer holds the document's lock). The watchdog queued "
                f"document {document_id} again; it resumes after page {resumes_after_page}."
            )
        )
        log.warning("document.task_lost", document_id=document_id, task_id=str(result.id))
