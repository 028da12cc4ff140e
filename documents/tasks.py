"""Background tasks (Django tasks on django-tasks-db, run by `manage.py db_worker`).

Thin wrappers: they take ids and call the idempotent services, so running one twice is safe.
Services queue work through documents.queue, which names these tasks by their path. Each task
runs in its document's tenant scope (tenants/row_security.py): the worker's queries see that
tenant's rows only.
"""

import contextlib

from django.tasks import task

from documents import queue, services
from ragplatform.metrics import emit_ingestion_backlog
from tenants.row_security import tenant_scope


@contextlib.contextmanager
def _document_tenant(document_id: str, tenant_id: str | None):
    # Tasks queued before they carried their tenant look it up (audited, the operator path).
    tenant_id = tenant_id or services.document_tenant_id(document_id=document_id)
    if tenant_id is None:
        yield None  # the document is gone
        return
    with tenant_scope(tenant_id):
        yield tenant_id


@task
def ingest_document(document_id: str, tenant_id: str | None = None) -> str:
    with _document_tenant(document_id, tenant_id) as tenant_id:
        outcome = "nothing to do"
        if tenant_id:
            outcome = services.document_ingest(document_id=document_id)
        if outcome == "ready":
            # A task of its own: an index build can take minutes on a large tenant, and this
            # worker's next document need not wait for it.
            maintain_tenant_indexes.enqueue(document_id=document_id, tenant_id=tenant_id)
    emit_ingestion_backlog(documents=services.ingestion_backlog())
    return outcome


@task
def maintain_tenant_indexes(document_id: str, tenant_id: str | None = None) -> str:
    """Give the document's tenant its own indexes once it is large enough."""
    with _document_tenant(document_id, tenant_id) as tenant_id:
        return services.tenant_index_maintain(document_id=document_id) if tenant_id else "gone"


@task
def watch_document(document_id: str, tenant_id: str | None = None) -> str:
    """Re-queue the document if its worker died; check again later until it is finished."""
    with _document_tenant(document_id, tenant_id) as tenant_id:
        outcome = services.document_watchdog(document_id=document_id) if tenant_id else "finished"
        if outcome != "finished":
            queue.watchdog_schedule(document_id=document_id, tenant_id=tenant_id)
    return outcome
