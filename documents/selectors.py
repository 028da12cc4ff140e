"""Reading documents, pages and chunks (the retriever is documents.retrieval)."""

import uuid

from django.db.models import Prefetch, Q

from documents.models import Chunk, Document, DocumentPage, Table, TableCell
from documents.question_scope import LibraryDocument, scope
from ragplatform.exceptions import DomainError, NotFound


def document_list(*, tenant):
    return Document.objects.for_tenant(tenant).order_by("-created_at")


def document_get(*, tenant, document_id) -> Document:
    document = Document.objects.for_tenant(tenant).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document


class DocumentNotReady(DomainError):
    code = "document_not_ready"
    status_code = 409


def document_tables(*, tenant, document_id):
    """The tables read from a tenant's ready document, in order, each with its cells
    prefetched (404 for another tenant's document, 409 while it is not ready)."""
    document = document_get(tenant=tenant, document_id=document_id)
    if document.status != Document.Status.READY:
        raise DocumentNotReady(
            f"The document is {document.status}; its tables are listed once it is ready."
        )
    cells = TableCell.objects.for_tenant(tenant).order_by("row", "column")
    return (
        Table.objects.for_tenant(tenant)
        .filter(document=document)
        .order_by("ordinal")
        .prefetch_related(Prefetch("cells", queryset=cells))
    )


class DocumentScopeInvalid(DomainError):
    """A question's document filter names an unknown document or matches none."""

    code = "invalid_document_scope"
    status_code = 400


def documents_named_in(*, tenant, question: str) -> list[uuid.UUID] | None:
    """The tenant's ready documents a question is about, by the company and periods it names
    (documents.question_scope), or None when it names no company of the library."""
    rows = (
        Document.objects.for_tenant(tenant)
        .filter(status=Document.Status.READY)
        .exclude(company="")
        .values_list("pk", "company", "fiscal_year", "ticker")
    )
    library = [
        LibraryDocument(str(pk), company, year, ticker) for pk, company, year, ticker in rows
    ]
    ids = scope(question, library)
    return None if ids is None else [uuid.UUID(pk) for pk in ids]


def document_ids_matching(
    *, tenant, document_ids=None, company=None, fiscal_year=None, form_type=None
) -> list[uuid.UUID] | None:
    """The ids of the tenant's ready documents that a question is restricted to: among
    `document_ids` (if given), those matching every filter given (company: a substring of the
    company, any case, or the ticker). None when nothing is given: search every document.

    Raises DocumentScopeInvalid for an id that is not one of the tenant's documents (another
    tenant's id is answered exactly like an unknown one) and when no ready document matches.
    """
    if document_ids is None and not company and fiscal_year is None and not form_type:
        return None
    documents = Document.objects.for_tenant(tenant)
    if document_ids is not None:
        wanted = list(dict.fromkeys(_as_uuids(document_ids)))
        known = set(documents.filter(pk__in=wanted).values_list("pk", flat=True))
        unknown = [str(pk) for pk in wanted if pk not in known]
        if unknown:
            raise DocumentScopeInvalid(
                f"No such document: {', '.join(unknown)}.", code="unknown_document"
            )
        documents = documents.filter(pk__in=wanted)
    asked = []
    if company:
        company = " ".join(company.split())
        documents = documents.filter(Q(company__icontains=company) | Q(ticker__iexact=company))
        asked.append(f"company {company!r}")
    if fiscal_year is not None:
        documents = documents.filter(fiscal_year=fiscal_year)
        asked.append(f"fiscal_year {fiscal_year}")
    if form_type:
        documents = documents.filter(form_type=form_type)
        asked.append(f"form_type {form_type!r}")
    if document_ids is not None:
        asked.append(f"{len(wanted)} document_ids")
    ids = list(documents.filter(status=Document.Status.READY).values_list("pk", flat=True))
    if not ids:
        raise DocumentScopeInvalid(
            f"No ready document matches {' and '.join(asked)}; documents still being ingested "
            "are not searched. GET /api/v1/documents lists each document's metadata.",
            code="no_matching_documents",
        )
    return ids


def _as_uuids(values) -> list[uuid.UUID]:
    try:
        return [
            value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)) for value in values
        ]
    except ValueError as exc:
        raise DocumentScopeInvalid("document_ids must be UUIDs.", code="unknown_document") from exc


def document_page_get(*, tenant, document_id, number: int) -> DocumentPage:
    """The extracted text of one page (1-based physical number) of a tenant's document."""
    document = document_get(tenant=tenant, document_id=document_id)
    page = DocumentPage.objects.for_tenant(tenant).filter(document=document, number=number).first()
    if page is None:
        raise NotFound(
            f"Page {number} is not available: the document has {document.pages_total} page(s)"
            + ("." if document.status == Document.Status.READY else " and is not ready yet.")
        )
    return page


def page_chunks(*, page: DocumentPage):
    """The chunks that start on a page, in order (for the admin's page view)."""
    return (
        Chunk.objects.for_tenant(page.tenant)
        .filter(document_id=page.document_id, page_start=page.number)
        .order_by("ordinal")
        .only("ordinal", "heading", "text", "token_count")
    )
