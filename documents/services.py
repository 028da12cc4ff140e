"""Document upload, ingestion (parse → chunk → embed → write) and deletion.

The API and the admin call these; tasks wrap them with ids. Ingestion is idempotent and
resumable: pages are stored once, chunks are planned deterministically and written a batch
of whole pages at a time together with `pages_done`, so a restarted ingestion skips what is
already written. A PostgreSQL advisory lock (held by the worker's connection, released by
the server if the worker dies) keeps two workers off the same document and lets the
watchdog tell a dead worker from a busy one.
"""

import contextlib
import os
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from documents import bounded_parsing, queue, storage
from documents.advisory_locks import session_lock
from documents.chunking import PageText, PlannedChunk, contents_pages, plan_chunks
from documents.metadata import FIRST_PAGES, chunk_title, metadata_from_pages
from documents.models import Chunk, Document, DocumentPage, Table, TableCell
from documents.parsing import PdfRejected, sha256_of
from documents.tables import ExtractedTable, rows_as_text
from documents.tenant_indexes import tenant_vector_index_ensure
from providers.base import ProviderError
from providers.factory import provider_for
from ragplatform.exceptions import DomainError, NotFound
from tenants.row_security import all_tenants_scope

log = structlog.get_logger(__name__)

# Failures worth retrying by uploading the same bytes again (the file itself was fine).
RETRYABLE_ERRORS = frozenset(
    {
        "provider_unavailable",
        "provider_error",
        "provider_bad_output",
        "provider_not_configured",
        "internal_error",
    }
)


class DocumentRejected(DomainError):
    code = "document_rejected"
    status_code = 400


@dataclass
class UploadResult:
    documents: list[Document] = field(default_factory=list)
    rejected: list[tuple[str, DomainError]] = field(default_factory=list)


def _clean_filename(name: str) -> str:
    name = os.path.basename(name or "").strip() or "document.pdf"
    return name[:255]


def document_upload(*, tenant, files) -> UploadResult:
    """Store each PDF and queue its ingestion; bad files are rejected one by one.

    The same bytes uploaded again by the same tenant return the existing document.
    """
    if not files:
        raise DocumentRejected(
            "Send one or more PDFs in the multipart field 'files'.", code="no_files"
        )
    limit = settings.DOCUMENT_MAX_FILES_PER_UPLOAD
    if len(files) > limit:
        raise DocumentRejected(
            f"{len(files)} files in one upload; the limit is {limit}.", code="too_many_files"
        )
    result = UploadResult()
    for upload in files:
        filename = _clean_filename(getattr(upload, "name", ""))
        try:
            result.documents.append(_upload_one(tenant=tenant, upload=upload, filename=filename))
        except DomainError as exc:
            log.info("document.rejected", tenant=tenant.slug, filename=filename, code=exc.code)
            result.rejected.append((filename, exc))
    return result


def _upload_one(*, tenant, upload, filename: str) -> Document:
    max_bytes = settings.DOCUMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise DocumentRejected(
            f"The file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.",
            code="file_too_large",
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocumentRejected(
            f"The file is larger than the {max_bytes / 1e6:.0f} MB limit.", code="file_too_large"
        )
    digest = sha256_of(data)
    existing = Document.objects.for_tenant(tenant).filter(sha256=digest).first()
    if existing is not None:
        return _existing(existing)
    info = bounded_parsing.inspect_pdf(
        data, filename=filename, max_pages=settings.DOCUMENT_MAX_PAGES
    )
    try:
        with transaction.atomic():
            document = Document.objects.create(
                tenant=tenant,
                title=info.title,
                filename=filename,
                sha256=digest,
                bytes=len(data),
                pages_total=info.pages,
            )
            document.storage_key = storage.pdf_save(
                key=storage.document_storage_key(tenant_id=tenant.pk, document_id=document.pk),
                data=data,
            )
            document.save(update_fields=["storage_key"])
            transaction.on_commit(lambda: _enqueue(document))
    except IntegrityError:
        # The same bytes arrived concurrently: the other upload's document wins.
        return _existing(Document.objects.for_tenant(tenant).get(sha256=digest))
    log.info(
        "document.uploaded", tenant=tenant.slug, document_id=str(document.pk), pages=info.pages
    )
    return document


def _existing(document: Document) -> Document:
    if document.status == Document.Status.FAILED and document.error_code in RETRYABLE_ERRORS:
        document_retry(document=document)
    return document


def document_retry(*, document: Document) -> Document:
    """Queue a failed document again; ingestion resumes from the pages already written."""
    updated = Document.objects.filter(pk=document.pk, status=Document.Status.FAILED).update(
        status=Document.Status.QUEUED, error="", error_code="", updated_at=timezone.now()
    )
    if updated:
        document.refresh_from_db()
        transaction.on_commit(lambda: _enqueue(document))
    return document


def _enqueue(document: Document) -> None:
    ids = {"document_id": str(document.pk), "tenant_id": str(document.tenant_id)}
    queue.ingestion_enqueue(**ids)
    queue.watchdog_schedule(**ids)


def document_delete(*, tenant, document_id) -> None:
    """Delete the document, its pages and chunks, and its stored file."""
    document = Document.objects.for_tenant(tenant).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    key = document.storage_key
    document.delete()
    transaction.on_commit(lambda: storage.pdf_delete(key=key))
    log.info("document.deleted", tenant=tenant.slug, document_id=str(document_id))


class MetadataInvalid(DomainError):
    code = "invalid_metadata"
    status_code = 400


# What an operator or the tenant may correct.
CORRECTABLE_METADATA = (
    "company",
    "ticker",
    "form_type",
    "fiscal_year",
    "fiscal_quarter",
    "period_end",
)


def document_metadata_correct(*, tenant, document_id, source: str, **changes) -> Document:
    """Correct a document's metadata; `source` (operator or tenant) is recorded, so that
    ingesting the document again keeps the correction."""
    unknown = sorted(set(changes) - set(CORRECTABLE_METADATA))
    if unknown:
        raise MetadataInvalid(
            f"Not correctable: {', '.join(unknown)}; these are: {', '.join(CORRECTABLE_METADATA)}."
        )
    if not changes:
        raise MetadataInvalid(f"Nothing to change: send one of {', '.join(CORRECTABLE_METADATA)}.")
    if source not in (Document.MetadataSource.OPERATOR, Document.MetadataSource.TENANT):
        raise ValueError(f"a correction comes from an operator or the tenant, not {source!r}")
    document = Document.objects.for_tenant(tenant).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    cleaned = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = " ".join(value.split())
            value = value.upper() if name == "ticker" else value
        try:
            cleaned[name] = Document._meta.get_field(name).clean(value, document)
        except ValidationError as exc:
            raise MetadataInvalid(f"{name}: {' '.join(exc.messages)}") from exc
    Document.objects.for_tenant(tenant).filter(pk=document.pk).update(
        **cleaned, metadata_source=source, updated_at=timezone.now()
    )
    document.refresh_from_db()
    log.info(
        "document.metadata_corrected",
        tenant=tenant.slug,
        document_id=str(document.pk),
        source=source,
        fields=sorted(cleaned),
    )
    return document


# --- ingestion ---------------------------------------------------------------------------


def ingestion_lock(document_id):
    """Hold the document's advisory lock for this connection; yields False if another
    live worker holds it. The server releases it if this process dies."""
    return session_lock(f"documents.ingest:{document_id}")


class _Stop(Exception):
    """The document went away (deleted) while it was being ingested."""


def document_ingest(*, document_id) -> str:
    """Ingest one document to ready (or failed, with the reason). Safe to run again."""
    document = Document.objects.select_related("tenant").filter(pk=document_id).first()
    if document is None or document.is_finished:
        return "nothing to do"
    with ingestion_lock(document.pk) as acquired:
        if not acquired:
            return "another worker is ingesting this document"
        document.refresh_from_db()
        if document.is_finished:
            return "nothing to do"
        try:
            _ingest(document)
        except _Stop:
            return "document deleted during ingestion"
        except PdfRejected as exc:
            _fail(document, exc.message, exc.code)
        except ProviderError as exc:
            # Retried already, if retrying could help (providers.retry): fail now, say why.
            _fail(document, _provider_failure(document, exc), exc.code)
        except DomainError as exc:
            _fail(document, exc.message, exc.code)
        except Exception as exc:
            log.exception("document.ingest_crashed", document_id=str(document.pk))
            _fail(
                document,
                f"Ingestion stopped on an internal error ({type(exc).__name__}); it has been "
                "logged. Retry once the cause is fixed.",
                "internal_error",
            )
            raise
        return document.status


def _provider_failure(document: Document, exc: ProviderError) -> str:
    progress = f"Progress is kept ({document.pages_done} of {document.pages_total} pages)"
    if exc.retryable:
        return (
            f"The embedding provider failed: {exc.message} {progress}; upload the same "
            "file again or use Retry in the admin to continue."
        )
    return (
        f"The embedding provider refused the request: {exc.message} Trying again will not "
        "help until the tenant's provider settings (credentials, model) are fixed. "
        f"{progress}; then upload the same file again or use Retry in the admin."
    )


def _update(document: Document, **fields) -> None:
    fields["updated_at"] = timezone.now()
    if not Document.objects.filter(pk=document.pk).update(**fields):
        raise _Stop
    for name, value in fields.items():
        setattr(document, name, value)


def _fail(document: Document, message: str, code: str) -> None:
    with contextlib.suppress(_Stop):
        _update(
            document,
            status=Document.Status.FAILED,
            error=message,
            error_code=code,
            finished_at=timezone.now(),
        )
    log.warning("document.failed", document_id=str(document.pk), code=code, error=message)


def _ingest(document: Document) -> None:
    started = time.monotonic()
    _update(
        document,
        status=Document.Status.PROCESSING,
        attempts=document.attempts + 1,
        started_at=document.started_at or timezone.now(),
        error="",
        error_code="",
    )
    pages = _pages(document)
    rows = table_rows_as_text(document=document)
    pages = [replace(page, table_rows=rows.get(page.number, {})) for page in pages]
    _read_metadata(document, pages)
    document.refresh_from_db(fields=["company", "form_type", "fiscal_year", "fiscal_quarter"])
    plan = plan_chunks(pages, title=chunk_title(document), boilerplate=document.boilerplate)
    navigation = contents_pages(pages)
    provider = provider_for(document.tenant)
    embedder = provider.embedder
    if document.embedding_model and document.embedding_model != embedder.model_id:
        # The tenant changed provider since this document was started: start its chunks over.
        Chunk.objects.for_tenant(document.tenant).filter(document=document).delete()
        _update(document, pages_done=0)
    _update(document, embedding_model=embedder.model_id)

    earlier_usage = dict(document.usage)
    for batch, last_page in _batches(plan, document.pages_done, len(pages)):
        texts = [chunk.embedding_input for chunk in batch]
        vectors = embedder.embed_documents(texts) if batch else []
        usage = _merge_usage(earlier_usage, provider.meter.as_dict())
        with transaction.atomic():
            Chunk.objects.bulk_create(
                [
                    Chunk(
                        tenant_id=document.tenant_id,
                        document_id=document.pk,
                        ordinal=chunk.ordinal,
                        page_start=chunk.page_start,
                        page_end=chunk.page_end,
                        page_label=chunk.page_label,
                        heading=chunk.heading,
                        context=chunk.context,
                        text=chunk.text,
                        token_count=chunk.token_count,
                        on_contents_page=chunk.page_start in navigation,
                        boxes=chunk.boxes,
                        embedding=vector,
                        embedding_model=embedder.model_id,
                    )
                    for chunk, vector in zip(batch, vectors, strict=True)
                ],
                ignore_conflicts=True,  # a resumed batch never duplicates a chunk
            )
            _update(document, pages_done=last_page, usage=usage)
    _update(
        document,
        status=Document.Status.READY,
        pages_done=len(pages),
        finished_at=timezone.now(),
    )
    log.info(
        "document.ingested",
        document_id=str(document.pk),
        pages=len(pages),
        chunks=len(plan),
        seconds=round(time.monotonic() - started, 2),
    )


def _merge_usage(previous: dict, current: dict) -> dict:
    return {key: previous.get(key, 0) + value for key, value in current.items()}


def _pages(document: Document) -> list[PageText]:
    """The document's pages, parsed from the PDF once and then read back from the database."""
    stored = list(
        DocumentPage.objects.for_tenant(document.tenant)
        .filter(document=document)
        .order_by("number")
        .values_list("number", "label", "text", "boxes")
    )
    if stored and len(stored) == document.pages_total:
        return [PageText(number, label, text, boxes) for number, label, text, boxes in stored]
    try:
        data = storage.pdf_read(key=document.storage_key)
    except (FileNotFoundError, OSError) as exc:
        raise DocumentRejected(
            "The stored PDF could not be read; upload it again.", code="file_missing"
        ) from exc
    # pdfium in a child process, bounded in time and memory (documents/bounded_parsing.py).
    parsed_pdf = bounded_parsing.parse_pdf(data)
    parsed = parsed_pdf.pages
    empty = [page.number for page in parsed if not page.text.strip()]
    if len(empty) == len(parsed):
        raise DocumentRejected(
            "No page has a text layer: this looks like a scanned PDF. OCR is not supported; "
            "upload a PDF with selectable text.",
            code="no_text_layer",
        )
    warnings = []
    if empty:
        shown = ", ".join(str(n) for n in empty[:20]) + (" …" if len(empty) > 20 else "")
        warnings.append(
            f"{len(empty)} page(s) have no text layer (scanned images?) and are not "
            f"searchable: {shown}."
        )
    boilerplate, tables = parsed_pdf.boilerplate, parsed_pdf.tables
    with transaction.atomic():
        DocumentPage.objects.for_tenant(document.tenant).filter(document=document).delete()
        _tables_store(document, tables)
        DocumentPage.objects.bulk_create(
            [
                DocumentPage(
                    tenant_id=document.tenant_id,
                    document_id=document.pk,
                    number=page.number,
                    label=page.label,
                    text=page.text,
                    boxes=page.boxes,
                )
                for page in parsed
            ],
            batch_size=500,
        )
        _update(
            document,
            pages_total=len(parsed),
            boilerplate=boilerplate,
            warnings=warnings,
        )
    return [PageText(page.number, page.label, page.text, page.boxes) for page in parsed]


def _tables_store(document: Document, tables: list[ExtractedTable]) -> None:
    """Replace the document's tables with those just read from its pages."""
    Table.objects.for_tenant(document.tenant).filter(document=document).delete()
    rows = Table.objects.bulk_create(
        [
            Table(
                tenant_id=document.tenant_id,
                document_id=document.pk,
                ordinal=ordinal,
                page_start=table.page_start,
                page_end=table.page_end,
                title=table.title,
                statement=table.statement,
                columns=[column.as_json() for column in table.columns],
                unit=table.unit,
                scale=table.scale,
                unit_text=table.unit_text,
                row_count=table.rows,
                boxes={str(page): list(box) for page, box in table.boxes.items()},
            )
            for ordinal, table in enumerate(tables)
        ]
    )
    TableCell.objects.bulk_create(
        [
            TableCell(
                tenant_id=document.tenant_id,
                document_id=document.pk,
                table=row,
                row=cell.row,
                column=cell.column,
                label=cell.label_path[-1][:300] if cell.label_path else "",
                label_path=list(cell.label_path),
                header=column.header[:200],
                period=column.period[:100],
                fiscal_year=column.fiscal_year,
                period_end=column.period_end,
                period_months=column.months,
                value=cell.value,
                raw=cell.raw[:64],
                unit=cell.unit,
                page=cell.page,
                line=cell.line,
                box=list(cell.box),
            )
            for row, table in zip(rows, tables, strict=True)
            for cell in table.cells
            for column in (table.columns[cell.column],)
        ],
        batch_size=2000,
    )
    log.info(
        "document.tables",
        document_id=str(document.pk),
        tables=len(tables),
        cells=sum(len(table.cells) for table in tables),
    )


def table_rows_as_text(*, document: Document) -> dict[int, dict[int, str]]:
    """{page: {line: text}}: each table row of the document read with its column headers
    and unit ("Total net revenues — 2023: 6,054.8; 2022: 5,554.9 (USD millions)"), for the
    chunks to carry in place of the row as printed. Read from the stored cells, so a resumed
    ingestion plans the same chunks."""
    scales = dict(
        Table.objects.for_tenant(document.tenant)
        .filter(document=document)
        .values_list("pk", "scale")
    )
    cells = (
        TableCell.objects.for_tenant(document.tenant)
        .filter(document=document)
        .order_by("table_id", "row", "column")
        .values_list("table_id", "row", "label_path", "header", "raw", "unit", "page", "line")
    )
    return rows_as_text((*cell, scales[cell[0]]) for cell in cells)


def _read_metadata(document: Document, pages: list[PageText]) -> None:
    """Company, form and period from the first pages (documents/metadata.py), unless an
    operator or the tenant has corrected them (checked in the UPDATE, so a correction made
    meanwhile is kept too)."""
    found = metadata_from_pages([page.text for page in pages[:FIRST_PAGES]])
    written = Document.objects.filter(
        pk=document.pk, metadata_source=Document.MetadataSource.EXTRACTED
    ).update(**found.as_fields(), updated_at=timezone.now())
    log.info(
        "document.metadata",
        document_id=str(document.pk),
        company=found.company,
        ticker=found.ticker,
        form_type=found.form_type,
        fiscal_year=found.fiscal_year,
        fiscal_quarter=found.fiscal_quarter,
        period_end=found.period_end.isoformat() if found.period_end else None,
        kept_correction=not written,
    )


def _batches(plan: list[PlannedChunk], pages_done: int, pages_total: int):
    """(chunks, last page) batches of whole pages after pages_done, about EMBED_BATCH_SIZE
    chunks each, so each batch commits together with the progress it makes."""
    size = settings.EMBED_BATCH_SIZE
    batch: list[PlannedChunk] = []
    for chunk in plan:
        if chunk.page_start <= pages_done:
            continue
        if len(batch) >= size and chunk.page_start != batch[-1].page_end:
            yield batch, chunk.page_start - 1
            batch = []
        batch.append(chunk)
    if batch or pages_done < pages_total:
        yield batch, pages_total


# --- watchdog ----------------------------------------------------------------------------


def document_watchdog(*, document_id) -> str:
    """Re-queue a document whose worker died (no live lock holder, still unfinished).

    Returns "finished", "requeued" or "alive" ("alive": still queued or being worked on).
    """
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.is_finished:
        return "finished"
    with ingestion_lock(document.pk) as free:
        if not free:
            return "alive"
        document.refresh_from_db()
        if document.is_finished:
            return "finished"
        # A queued document's task may just be waiting behind others; only a long wait is
        # suspect.
        stale = timezone.now() - timedelta(seconds=10 * settings.DOCUMENT_WATCHDOG_SECONDS)
        if document.status != Document.Status.PROCESSING and document.updated_at >= stale:
            return "alive"
        queue.lost_ingestion_tasks_fail(
            document_id=str(document.pk), resumes_after_page=document.pages_done
        )
    queue.ingestion_enqueue(document_id=str(document.pk), tenant_id=str(document.tenant_id))
    log.warning("document.requeued", document_id=str(document.pk), status=document.status)
    return "requeued"


def ingestion_backlog() -> int:
    """Documents queued or processing across all tenants (an operational metric only)."""
    with all_tenants_scope(actor="worker", reason="ingestion backlog metric"):
        return Document.objects.filter(
            status__in=[Document.Status.QUEUED, Document.Status.PROCESSING]
        ).count()


def document_tenant_id(*, document_id) -> str | None:
    """The tenant of a document, for a task queued before tasks carried their tenant."""
    with all_tenants_scope(actor="worker", reason=f"tenant of document {document_id}"):
        tenant_id = Document.objects.filter(pk=document_id).values_list("tenant_id", flat=True)
        found = tenant_id.first()
    return str(found) if found else None


def tenant_index_maintain(*, document_id) -> str:
    """After a document is ready: give its tenant its own indexes once it is large
    enough (documents/tenant_indexes.py). A failed build is logged and retried after the
    next document; the document itself is ready either way."""
    document = Document.objects.select_related("tenant").filter(pk=document_id).first()
    if document is None:
        return "document gone"
    try:
        outcome = tenant_vector_index_ensure(tenant=document.tenant)
    except DatabaseError:
        log.exception("tenant_index.build_failed", tenant=document.tenant.slug)
        return "failed"
    if outcome == "built":
        log.info("tenant_index.ready", tenant=document.tenant.slug)
    return outcome
