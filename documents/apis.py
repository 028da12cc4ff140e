"""Tenant document API: upload (many PDFs at once), list, detail with progress and metadata,
metadata corrections, delete, the extracted text of a cited page, the tables read from the
document, the PDF itself and a page drawn as a PNG with cited chunks highlighted."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import page_images, selectors, services
from documents.downloads import pdf_response
from documents.models import Document, Table
from ragplatform import inputs
from ragplatform.errors import error_body
from ragplatform.pagination import ApiPagination
from ragplatform.schema import ErrorDetailOutput, error_response


class DocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "filename",
            "status",
            "error",
            "pages_done",
            "pages_total",
            "bytes",
            "sha256",
            "created_at",
            "warnings",
            "company",
            "ticker",
            "form_type",
            "fiscal_year",
            "fiscal_quarter",
            "period_end",
            "metadata_source",
        ]


class MetadataCorrectionInput(inputs.JsonInput):
    """Only the fields sent are changed; null or "" clears one."""

    json_schema_extra = {"additionalProperties": False, "minProperties": 1}

    company = serializers.CharField(max_length=300, allow_blank=True, required=False)
    ticker = serializers.CharField(max_length=16, allow_blank=True, required=False)
    form_type = serializers.ChoiceField(
        choices=[("", "Not known"), *Document.FormType.choices], allow_blank=True, required=False
    )
    fiscal_year = serializers.IntegerField(
        min_value=1900, max_value=2100, allow_null=True, required=False
    )
    fiscal_quarter = serializers.IntegerField(
        min_value=1, max_value=4, allow_null=True, required=False
    )
    period_end = serializers.DateField(allow_null=True, required=False)

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                f"Not correctable: {', '.join(unknown)}; send only {', '.join(self.fields)}."
            )
        if not attrs:
            raise serializers.ValidationError(f"Nothing to change: send {', '.join(self.fields)}.")
        return attrs


class AcceptedOutput(serializers.Serializer):
    id = serializers.UUIDField()
    filename = serializers.CharField()
    status = serializers.CharField()
    status_url = serializers.SerializerMethodField()

    def get_status_url(self, document) -> str:
        path = reverse("document-detail", kwargs={"document_id": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class UploadInput(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        min_length=1,
        max_length=settings.DOCUMENT_MAX_FILES_PER_UPLOAD,
        help_text="PDFs, the field repeated once per file; each is accepted or rejected "
        "on its own (not a PDF, encrypted, corrupt, over the size or page limit).",
    )


class UploadParser(inputs.MultiPartParser):
    """Multipart, within what an upload can hold: the most files of the largest size."""

    def max_body_bytes(self) -> int:
        return settings.DOCUMENT_MAX_FILES_PER_UPLOAD * settings.DOCUMENT_MAX_BYTES + 2**20


REJECTED_FILE = inline_serializer(
    "RejectedFile",
    {"filename": serializers.CharField(), "error": ErrorDetailOutput()},
    many=True,
)
UPLOAD_RESPONSE = inline_serializer(
    "DocumentUploadResponse",
    {"documents": AcceptedOutput(many=True), "rejected": REJECTED_FILE},
)
UPLOAD_REJECTED = inline_serializer(
    "DocumentUploadRejected",
    {
        "error": ErrorDetailOutput(),
        "documents": AcceptedOutput(many=True, required=False),
        "rejected": inline_serializer(
            "RejectedFiles",
            {"filename": serializers.CharField(), "error": ErrorDetailOutput()},
            many=True,
            required=False,
        ),
    },
)


class DocumentListApi(APIView):
    parser_classes = [UploadParser]
    pagination_class = ApiPagination

    @extend_schema(responses=DocumentOutput(many=True), tags=["documents"])
    def get(self, request):
        """The tenant's documents, newest first (paginated)."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.document_list(tenant=request.user.tenant), request, view=self
        )
        return paginator.get_paginated_response(DocumentOutput(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": UploadInput},
        responses={
            202: UPLOAD_RESPONSE,
            400: error_response(
                "Every file was rejected (`documents_rejected`, with `documents` empty and "
                "`rejected` listing each file's error), or no file was sent (`no_files`), or "
                "too many (`too_many_files`).",
                UPLOAD_REJECTED,
            ),
            413: error_response(
                "The request is larger than the most files of the largest size "
                "(`request_too_large`)."
            ),
        },
        tags=["documents"],
    )
    def post(self, request):
        """Upload PDFs (field `files`, repeated). 202 with the accepted documents and the
        rejected files; 400 with the same lists and an `error` when every file is rejected."""
        result = services.document_upload(
            tenant=request.user.tenant, files=request.FILES.getlist("files")
        )
        body = {
            "documents": AcceptedOutput(
                result.documents, many=True, context={"request": request}
            ).data,
            "rejected": [
                {"filename": filename, **error_body(exc.code, exc.message)}
                for filename, exc in result.rejected
            ],
        }
        if result.documents:
            return Response(body, status=status.HTTP_202_ACCEPTED)
        rejected = error_body(
            "documents_rejected", f"All {len(result.rejected)} file(s) were rejected: see rejected."
        )
        return Response({**rejected, **body}, status=status.HTTP_400_BAD_REQUEST)


class DocumentDetailApi(APIView):
    @extend_schema(responses=DocumentOutput, tags=["documents"])
    def get(self, request, document_id):
        """One document with its ingestion progress."""
        document = selectors.document_get(tenant=request.user.tenant, document_id=document_id)
        return Response(DocumentOutput(document).data)

    @extend_schema(
        request=MetadataCorrectionInput,
        responses={
            200: DocumentOutput,
            400: error_response("Invalid values, unknown fields or none (`invalid_request`)."),
        },
        tags=["documents"],
    )
    def patch(self, request, document_id):
        """Correct the document's metadata (company, ticker, form type, fiscal year and
        quarter, period end); metadata_source becomes "tenant" and ingesting the document
        again keeps the correction."""
        data = MetadataCorrectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_metadata_correct(
            tenant=request.user.tenant,
            document_id=document_id,
            source=Document.MetadataSource.TENANT,
            **data.validated_data,
        )
        return Response(DocumentOutput(document).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted")}, tags=["documents"])
    def delete(self, request, document_id):
        """Delete the document, its chunks and its stored PDF."""
        services.document_delete(tenant=request.user.tenant, document_id=document_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PageOutput(serializers.Serializer):
    document_id = serializers.UUIDField(source="document.id")
    title = serializers.CharField(source="document.title")
    page = serializers.IntegerField(source="number")
    page_label = serializers.CharField(source="display_label")
    pages_total = serializers.IntegerField(source="document.pages_total")
    text = serializers.CharField()


class DocumentPageApi(APIView):
    @extend_schema(responses=PageOutput, tags=["documents"])
    def get(self, request, document_id, number):
        """The extracted text of a page (physical number, 1-based), to check a citation."""
        page = selectors.document_page_get(
            tenant=request.user.tenant, document_id=document_id, number=number
        )
        return Response(PageOutput(page).data)


class TableColumnOutput(serializers.Serializer):
    header = serializers.CharField(
        help_text='As printed: "2023", "Three Months Ended June 30, 2023".'
    )
    period = serializers.CharField(help_text='"FY2023", "Q2 2023", "December 31, 2022", or "".')
    fiscal_year = serializers.IntegerField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    months = serializers.IntegerField(allow_null=True)


class TableCellOutput(serializers.Serializer):
    column = serializers.IntegerField(help_text="Index into the table's columns.")
    period = serializers.CharField()
    value = serializers.CharField(
        allow_null=True, help_text="Decimal with the scale and sign applied; null for a dash."
    )
    raw = serializers.CharField(help_text='As printed: "(312.5)", "17.9%".')
    unit = serializers.CharField(help_text='"USD", "USD/share", "%", "shares" or "".')
    page = serializers.IntegerField()
    box = serializers.ListField(child=serializers.FloatField(), help_text="[x0, y0, x1, y1]")


class TableRowOutput(serializers.Serializer):
    row = serializers.IntegerField()
    label = serializers.CharField()
    label_path = serializers.ListField(
        child=serializers.CharField(), help_text='Sections, then the label: ["Net revenues", …]'
    )
    cells = TableCellOutput(many=True)


class TableOutput(serializers.ModelSerializer):
    columns = TableColumnOutput(many=True)
    rows = serializers.SerializerMethodField()
    page_image_url = serializers.SerializerMethodField(
        help_text="The table's first page as a PNG (GET /documents/{id}/pages/{n}/image)."
    )

    class Meta:
        model = Table
        fields = [
            "id",
            "ordinal",
            "title",
            "statement",
            "page_start",
            "page_end",
            "columns",
            "unit",
            "scale",
            "unit_text",
            "row_count",
            "boxes",
            "page_image_url",
            "rows",
        ]

    @extend_schema_field(TableRowOutput(many=True))
    def get_rows(self, table: Table) -> list[dict]:
        rows: dict[int, dict] = {}
        for cell in table.cells.all():
            row = rows.setdefault(
                cell.row,
                {"row": cell.row, "label": cell.label, "label_path": cell.label_path, "cells": []},
            )
            row["cells"].append(
                {
                    "column": cell.column,
                    "period": cell.period,
                    "value": None if cell.value is None else format(cell.value.normalize(), "f"),
                    "raw": cell.raw,
                    "unit": cell.unit,
                    "page": cell.page,
                    "box": cell.box,
                }
            )
        return list(rows.values())

    def get_page_image_url(self, table: Table) -> str:
        path = reverse(
            "document-page-image",
            kwargs={"document_id": table.document_id, "number": table.page_start},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentTablesApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        responses={
            200: TableOutput(many=True),
            404: error_response("No such document (another tenant's too), or no such page."),
            409: error_response("The document is not ready yet (`document_not_ready`)."),
        },
        tags=["documents"],
    )
    def get(self, request, document_id):
        """The tables read from a ready document (statements, segment and note tables), in
        page order (paginated): title, statement type, columns with their periods, unit and
        scale, and each row's cells with the value (scale and sign applied), the figure as
        printed, its page and box."""
        tables = selectors.document_tables(tenant=request.user.tenant, document_id=document_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(tables, request, view=self)
        return paginator.get_paginated_response(
            TableOutput(page, many=True, context={"request": request}).data
        )


class JsonErrors(BaseContentNegotiation):
    """For views that answer with bytes (PDF, PNG): whatever the client accepts (an <img>
    asks for images), an error is JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


PAGE_IMAGE_ERRORS = {
    400: error_response(
        "`width` under the minimum (`invalid_width`), `highlight` not chunk ids "
        "(`invalid_page_image`) or not chunks of this document (`unknown_highlight`)."
    ),
    404: error_response("No such document (another tenant's too), or no such page."),
    409: error_response("The document is not ready yet (`document_not_ready`)."),
}


class DocumentFileApi(APIView):
    content_negotiation_class = JsonErrors

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            302: OpenApiResponse(
                description="With S3 storage: a presigned URL, valid for a few minutes, "
                "that serves the PDF inline under its original filename.",
            ),
            404: error_response("No such document (another tenant's too), or its file is gone."),
        },
        tags=["documents"],
    )
    def get(self, request, document_id):
        """The document's PDF as uploaded (inline, under its original filename)."""
        document = selectors.document_get(tenant=request.user.tenant, document_id=document_id)
        return pdf_response(document=document)


class PageImageInput(serializers.Serializer):
    # Digits only (IntegerField would take " 50", "50.0"); the service checks the minimum.
    width = serializers.RegexField(r"\A[0-9]{1,6}\Z", required=False, trim_whitespace=False)


HIGHLIGHT_PATTERN = page_images.CHUNK_IDS_PATTERN.pattern


class DocumentPageImageApi(APIView):
    content_negotiation_class = JsonErrors

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "width",
                {"type": "integer", "minimum": settings.PAGE_IMAGE_MIN_WIDTH, "maximum": 999_999},
                description="Pixels (default 1000, at most 2000: wider asks are drawn at 2000).",
            ),
            OpenApiParameter(
                "highlight",
                {"type": "array", "items": {"type": "string", "pattern": HIGHLIGHT_PATTERN}},
                explode=True,
                description="Chunk ids (a citation's chunk_id), comma-separated and/or "
                f"repeated, at most {settings.PAGE_IMAGE_MAX_HIGHLIGHTS}: their lines on this "
                "page are highlighted.",
            ),
            OpenApiParameter(
                "If-None-Match",
                str,
                location=OpenApiParameter.HEADER,
                description="The ETag of an image of this page got before: 304 if unchanged.",
            ),
        ],
        responses={
            (200, "image/png"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="Not modified: If-None-Match had the ETag."),
            **PAGE_IMAGE_ERRORS,
        },
        tags=["documents"],
    )
    def get(self, request, document_id, number):
        """A page of a ready document (physical number, 1-based) as a PNG, with the lines of
        the given chunks highlighted. Cached: send the ETag back in If-None-Match."""
        data = PageImageInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        image = page_images.page_image_request(
            tenant=request.user.tenant,
            document_id=document_id,
            number=number,
            width=int(data.validated_data["width"]) if "width" in data.validated_data else None,
            highlight=page_images.parse_chunk_ids(request.query_params.getlist("highlight")),
        )
        headers = {
            "ETag": image.etag,
            "Cache-Control": "private, max-age=3600",
            "Vary": "Authorization",
        }
        sent = [
            tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))
        ]
        if image.etag in sent or "*" in sent:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(page_images.page_image_png(image), content_type="image/png")
        for name, value in headers.items():
            response[name] = value
        return response
