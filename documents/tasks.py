"""Background tasks (Django tasks on django-tasks-db, run by `manage.py db_worker`).

Thin wrappers: they take ids and call the idempotent services, so running one twice is safe.
Services queue work through documents.queue, which names these tasks by their path.
"""

from django.tasks import task

from documents import queue, services
from ragplatform.metrics import emit_ingestion_backlog


@task
def ingest_document(document_id: str) -> str:
    outcome = services.document_ingest(document_id=document_id)
    emit_ingestion_backlog(documents=services.ingestion_backlog())
    if outcome == "ready":
        # A task of its own: an index build can take minutes on a large tenant, and this
        # worker's next document need not wait for it.
        maintain_tenant_indexes.enqueue(document_id=document_id)
    return outcome


@task
def maintain_tenant_indexes(document_id: str) -> str:
    """Give the document's tenant its own indexes once it is large enough."""
    return services.tenant_index_maintain(document_id=document_id)


@task
def watch_document(document_id: str) -> str:
    """Re-queue the document if its worker died; check again later until it is finished."""
    outcome = services.document_watchdog(document_id=document_id)
    if outcome != "finished":
        queue.watchdog_schedule(document_id=document_id)
    return outcome
