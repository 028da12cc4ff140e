"""Operator screens: upload many PDFs at once (drag and drop) with a live status list,
documents with their progress, errors and metadata (correctable), the PDF in a viewer with
each page's status, and the extracted text of any page.

Upload, retry, delete and metadata corrections call the same services as the API. The PDF
reaches the admin's viewer through an admin view (staff login), never a tenant's API key.
"""

import contextlib
import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from documents import selectors, services
from documents.downloads import pdf_response
from documents.models import Chunk, Document, DocumentPage, Table, TableCell
from ragplatform.exceptions import DomainError
from tenants.models import Tenant


class UploadForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.filter(is_active=True))


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "tenant",
        "company",
        "form_type",
        "fiscal_year",
        "status_badge",
        "progress",
        "filename",
        "created_at",
    ]
    list_filter = ["status", "form_type", "fiscal_year", "tenant"]
    search_fields = ["title", "filename", "sha256", "company", "ticker"]
    ordering = ["-created_at"]
    actions = ["retry_documents", "delete_documents"]
    change_list_template = "admin/documents/document/change_list.html"
    change_form_template = "admin/documents/document/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "tenant",
                    "title",
                    "filename",
                    "status",
                    "error",
                    "warnings",
                    "pages_done",
                    "pages_total",
                    "bytes",
                    "sha256",
                    "storage_key",
                    "embedding_model",
                    "usage",
                    "attempts",
                    "created_at",
                    "started_at",
                    "finished_at",
                    "page_links",
                    "table_links",
                ]
            },
        ),
        (
            "Metadata",
            {
                "description": "Read from the cover page at ingestion. A correction saved "
                "here is kept when the document is ingested again.",
                "fields": [*services.CORRECTABLE_METADATA, "metadata_source"],
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # documents arrive through the upload page

    def get_readonly_fields(self, request, obj=None):
        # Only the metadata can be corrected; the rest is the record of ingestion.
        every = [name for _, options in self.fieldsets for name in options["fields"]]
        return [name for name in every if name not in services.CORRECTABLE_METADATA]

    def save_model(self, request, obj, form, change):
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if changed:
            corrected = services.document_metadata_correct(
                tenant=obj.tenant,
                document_id=obj.pk,
                source=Document.MetadataSource.OPERATOR,
                **changed,
            )
            obj.metadata_source = corrected.metadata_source

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        urls = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="documents_document_upload",
            ),
            path(
                "status/",
                self.admin_site.admin_view(self.status_view),
                name="documents_document_status",
            ),
            path(
                "<uuid:document_id>/pages/<int:number>/",
                self.admin_site.admin_view(self.page_view),
                name="documents_document_page",
            ),
            path(
                "<uuid:document_id>/file/",
                self.admin_site.admin_view(self.file_view),
                name="documents_document_file",
            ),
            path(
                "<uuid:document_id>/viewer/",
                self.admin_site.admin_view(self.viewer_view),
                name="documents_document_viewer",
            ),
        ]
        return urls + super().get_urls()

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Document):
        return format_html(
            '<span class="doc-status" data-document-id="{}">{}</span>', obj.pk, obj.status
        )

    @admin.display(description="Pages")
    def progress(self, obj: Document) -> str:
        return f"{obj.pages_done}/{obj.pages_total}"

    @admin.display(description="Pages")
    def page_links(self, obj: Document):
        if not obj.pages_total:
            return "-"
        url = reverse("admin:documents_document_page", args=[obj.pk, 1])
        return format_html('<a href="{}">Read page 1 of {}</a>', url, obj.pages_total)

    @admin.display(description="Tables")
    def table_links(self, obj: Document):
        count = Table.objects.filter(document=obj).count()
        if not count:
            return "-"
        url = reverse("admin:documents_table_changelist") + f"?document__id__exact={obj.pk}"
        return format_html('<a href="{}">{} table(s) read from this document</a>', url, count)

    @admin.action(description="Retry ingestion of selected failed documents")
    def retry_documents(self, request, queryset):
        count = 0
        for document in queryset.filter(status=Document.Status.FAILED):
            services.document_retry(document=document)
            count += 1
        self.message_user(request, f"Queued {count} document(s) again.", messages.SUCCESS)

    @admin.action(description="Delete selected documents (files and chunks)")
    def delete_documents(self, request, queryset):
        count = 0
        for document in queryset.select_related("tenant"):
            services.document_delete(tenant=document.tenant, document_id=document.pk)
            count += 1
        self.message_user(request, f"Deleted {count} document(s).", messages.SUCCESS)

    def upload_view(self, request):
        form = UploadForm(request.POST or None)
        uploaded = []
        if request.method == "POST" and form.is_valid():
            files = request.FILES.getlist("files")
            try:
                with transaction.atomic():
                    result = services.document_upload(
                        tenant=form.cleaned_data["tenant"], files=files
                    )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                uploaded = result.documents
                for filename, exc in result.rejected:
                    messages.error(request, f"{filename}: {exc.message}")
                if uploaded:
                    messages.success(request, f"Accepted {len(uploaded)} PDF(s).")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload PDFs",
            "form": form,
            "uploaded": uploaded,
            "recent": Document.objects.select_related("tenant").order_by("-created_at")[:20],
            "status_url": reverse("admin:documents_document_status"),
            "max_mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024),
        }
        return render(request, "admin/documents/document/upload.html", context)

    def status_view(self, request):
        """Status of the given documents, polled by the upload page."""
        ids = []
        for value in request.GET.getlist("id")[:200]:
            with contextlib.suppress(ValueError):
                ids.append(uuid.UUID(value))
        rows = {
            str(d.pk): {
                "status": d.status,
                "pages_done": d.pages_done,
                "pages_total": d.pages_total,
                "error": d.error,
            }
            for d in Document.objects.filter(pk__in=ids)
        }
        return JsonResponse({"documents": rows})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = Document.objects.filter(pk=object_id).first() if object_id else None
        extra = {}
        if document is not None:
            extra = {
                "file_url": reverse("admin:documents_document_file", args=[document.pk]),
                "page": 1,
                "highlights": [],
                "page_statuses": page_statuses(document),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def file_view(self, request, document_id):
        """The document's PDF, for the viewer and "open original" (any tenant's: staff)."""
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise Http404("No such document.")
        try:
            return pdf_response(document=document)
        except DomainError as exc:
            raise Http404(exc.message) from exc

    def viewer_view(self, request, document_id):
        """The PDF at ?page=n, with ?chunk=<id> (a chunk of this document) or ?table=<id>
        (one of its tables) highlighted."""
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise Http404("No such document.")
        page = _int(request.GET.get("page"), default=1)
        highlights = []
        table_id = _int(request.GET.get("table"), default=None)
        if table_id is not None:
            table = Table.objects.filter(document=document, pk=table_id).first()
            if table is None:
                raise Http404("No such table in this document.")
            highlights = [
                {"page": int(number), "boxes": [box]} for number, box in table.boxes.items()
            ]
        chunk_id = _int(request.GET.get("chunk"), default=None)
        if chunk_id is not None:
            chunk = Chunk.objects.filter(document=document, pk=chunk_id).first()
            if chunk is None:
                raise Http404("No such chunk in this document.")
            highlights = [
                {"page": int(number), "boxes": boxes} for number, boxes in chunk.boxes.items()
            ]
        return document_viewer_response(
            request, admin_site=self.admin_site, document=document, page=page, highlights=highlights
        )

    def page_view(self, request, document_id, number):
        document = Document.objects.select_related("tenant").filter(pk=document_id).first()
        if document is None:
            raise Http404("No such document.")
        try:
            page = selectors.document_page_get(
                tenant=document.tenant, document_id=document_id, number=number
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("admin:documents_document_change", args=[document_id]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{document} — page {page.display_label} ({number} of {document.pages_total})",
            "document": document,
            "page": page,
            "chunks": selectors.page_chunks(page=page),
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < document.pages_total else None,
        }
        return render(request, "admin/documents/document/page.html", context)


class TableCellInline(admin.TabularInline):
    model = TableCell
    fields = ["row", "label_path", "header", "period", "raw", "value", "unit", "page"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    """The tables read from documents at ingestion, read-only: filter by tenant, statement
    or document; each links to its page in the citation viewer, the table highlighted."""

    list_display = [
        "title_or_table",
        "document",
        "tenant",
        "statement",
        "pages",
        "periods_shown",
        "row_count",
        "viewer_link",
    ]
    list_filter = ["tenant", "statement"]
    search_fields = ["title", "document__title", "document__filename", "document__company"]
    list_select_related = ["document", "tenant"]
    ordering = ["document", "ordinal"]
    inlines = [TableCellInline]
    fields = [
        "document",
        "tenant",
        "title",
        "statement",
        "pages",
        "columns",
        "unit",
        "scale",
        "unit_text",
        "row_count",
        "viewer_link",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # tables are read from documents at ingestion

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Title", ordering="title")
    def title_or_table(self, obj: Table) -> str:
        return obj.title or f"Table {obj.ordinal + 1}"

    @admin.display(description="Pages", ordering="page_start")
    def pages(self, obj: Table) -> str:
        if obj.page_end == obj.page_start:
            return str(obj.page_start)
        return f"{obj.page_start}-{obj.page_end}"

    @admin.display(description="Periods")
    def periods_shown(self, obj: Table) -> str:
        return ", ".join(period for period in obj.periods if period)

    @admin.display(description="Page")
    def viewer_link(self, obj: Table):
        url = reverse("admin:documents_document_viewer", args=[obj.document_id])
        return format_html(
            '<a href="{}?page={}&amp;table={}">Open page {} in the viewer</a>',
            url,
            obj.page_start,
            obj.pk,
            obj.page_start,
        )


def _int(value, *, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def document_viewer_response(
    request, *, admin_site, document: Document, page: int, highlights: list, **context
):
    """The PDF.js viewer page at `page` with `highlights` ([{page, boxes}]) drawn; the query
    run admin opens citations with it too."""
    page = min(max(page, 1), max(document.pages_total, 1))
    return render(
        request,
        "admin/documents/document/viewer.html",
        {
            **admin_site.each_context(request),
            "opts": Document._meta,
            "title": f"{document} — page {page} of {document.pages_total}",
            "document": document,
            "page": page,
            "highlights": highlights,
            "file_url": reverse("admin:documents_document_file", args=[document.pk]),
            **context,
        },
    )


def page_statuses(document: Document) -> list[dict]:
    """Each page's ingestion status for the document's admin page: stored, with text or
    without a text layer, its chunks, and whether it is a contents page."""
    pages = {
        row["number"]: row
        for row in DocumentPage.objects.filter(document=document)
        .values("number", "label")
        .annotate(chars=Length("text"))
    }
    chunks = {
        row["page_start"]: row
        for row in Chunk.objects.filter(document=document)
        .values("page_start")
        .annotate(count=Count("id"), contents=Count("id", filter=Q(on_contents_page=True)))
    }
    out = []
    for number in range(1, document.pages_total + 1):
        page, chunk = pages.get(number), chunks.get(number, {})
        if page is None:
            state = "not parsed yet"
        elif not page["chars"]:
            state = "no text layer (scan?)"
        elif number <= document.pages_done or document.status == Document.Status.READY:
            state = "contents page" if chunk.get("contents") else "searchable"
        else:
            state = "parsed, not embedded yet"
        out.append(
            {
                "number": number,
                "label": page["label"] if page else "",
                "chars": page["chars"] if page else 0,
                "chunks": chunk.get("count", 0),
                "state": state,
            }
        )
    return out
