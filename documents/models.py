"""Documents (uploaded PDFs), their extracted pages and their searchable, embedded chunks."""

import uuid

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from pgvector.django import HnswIndex, VectorField

from documents.metadata import FormType
from providers.base import EMBEDDING_DIMENSIONS
from tenants.scoping import TenantOwned


class StoredGeneratedField(models.GeneratedField):
    """A stored generated column whose system check needs no database connection.

    GeneratedField's check asks the server whether it supports generated columns, so
    `manage.py check` would need a reachable database; PostgreSQL has had stored generated
    columns since version 12, so there is nothing to ask.
    """

    def _check_supported(self, databases):
        return []

    def _check_persistence(self, databases):
        return []


class Document(TenantOwned):
    """One uploaded PDF and the state of its ingestion."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    FormType = FormType

    class MetadataSource(models.TextChoices):
        EXTRACTED = "extracted", "Read from the document"
        OPERATOR = "operator", "Corrected by an operator"
        TENANT = "tenant", "Corrected by the tenant"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=500, blank=True)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    bytes = models.PositiveBigIntegerField()
    storage_key = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="Why ingestion failed, in words to act on.")
    error_code = models.CharField(max_length=64, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    pages_total = models.PositiveIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    # Normalised lines repeated across pages (running headers/footers), found once when the
    # PDF is parsed so that a resumed ingestion chunks exactly as the first attempt did.
    boilerplate = models.JSONField(default=list, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True)
    usage = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Metadata (documents/metadata.py), read from the cover page at ingestion; a correction
    # by an operator or the tenant sets metadata_source and is never overwritten by it.
    company = models.CharField(max_length=300, blank=True, help_text="Registrant as printed.")
    ticker = models.CharField(max_length=16, blank=True)
    form_type = models.CharField(max_length=32, choices=FormType.choices, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text="The year the fiscal year ends in.",
    )
    fiscal_quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    period_end = models.DateField(null=True, blank=True)
    metadata_source = models.CharField(
        max_length=16, choices=MetadataSource.choices, default=MetadataSource.EXTRACTED
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sha256"], name="document_unique_bytes"),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "processing", "ready", "failed"]),
                name="document_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_quarter__isnull=True)
                | models.Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
                name="document_fiscal_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__isnull=True)
                | models.Q(fiscal_year__gte=1900, fiscal_year__lte=2100),
                name="document_fiscal_year_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(form_type__in=["", *FormType.values]),
                name="document_form_type_known",
            ),
            models.CheckConstraint(
                condition=models.Q(metadata_source__in=["extracted", "operator", "tenant"]),
                name="document_metadata_source_known",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="document_tenant_recent")]

    def __str__(self) -> str:
        return self.title or self.filename

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)


class DocumentPage(TenantOwned):
    """A page's extracted text (table rows kept on one line), for chunking and for checking
    a citation against the page it points to."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(help_text="Physical page number, 1-based.")
    label = models.CharField(max_length=64, blank=True, help_text="Printed page label, if any.")
    text = models.TextField(blank=True)
    # One [x0, y0, x1, y1] per line of `text` (fractions of the displayed page, origin
    # top-left), read in the same pass as the text; [] for pages parsed before boxes existed.
    boxes = models.JSONField(
        default=list, blank=True, db_default=models.Value([], models.JSONField())
    )

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="page_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} p.{self.number}"

    @property
    def display_label(self) -> str:
        return self.label or str(self.number)


class Chunk(TenantOwned):
    """A passage of one page (or an honest page range), embedded and full-text indexed."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    ordinal = models.PositiveIntegerField()
    page_start = models.PositiveIntegerField()
    page_end = models.PositiveIntegerField()
    page_label = models.CharField(max_length=64, blank=True)
    heading = models.CharField(max_length=300, blank=True)
    # Title and nearest heading: embedded with the text and indexed at a higher weight.
    context = models.CharField(max_length=900, blank=True)
    text = models.TextField()
    token_count = models.PositiveIntegerField(default=0)
    # On a table of contents or an index page (chunking.is_contents_listing, judged at
    # ingestion): retrieval ranks these behind every other candidate.
    on_contents_page = models.BooleanField(default=False, db_default=False)
    # Where the chunk is drawn: {"<page>": [[x0, y0, x1, y1], …]}, one box per line of
    # `text` on that page (fractions of the displayed page, origin top-left); {} when the
    # document was ingested before boxes were kept.
    boxes = models.JSONField(
        default=dict, blank=True, db_default=models.Value({}, models.JSONField())
    )
    search_vector = StoredGeneratedField(
        expression=SearchVector("context", weight="A", config="english")
        + SearchVector("text", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS)
    embedding_model = models.CharField(max_length=200)
    # Filled by `manage.py migrate_tenant_provider` while re-embedding, then swapped in.
    next_embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True)
    next_embedding_model = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["document", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["document", "ordinal"], name="chunk_unique_ordinal"),
            models.CheckConstraint(
                condition=models.Q(page_end__gte=models.F("page_start")),
                name="chunk_pages_ordered",
            ),
        ]
        indexes = [
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["search_vector"], name="chunk_search_gin"),
            models.Index(fields=["tenant", "embedding_model"], name="chunk_tenant_model"),
        ]

    @property
    def embedding_input(self) -> str:
        from documents.chunking import embedding_input

        return embedding_input(context=self.context, text=self.text)

    def __str__(self) -> str:
        return f"{self.document_id}#{self.ordinal} p.{self.page_start}"


class Table(TenantOwned):
    """A table read from a document's pages at ingestion (documents/tables.py): a financial
    statement, a segment or a note table, with its periods, units and scale."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tables")
    ordinal = models.PositiveIntegerField(help_text="Order in the document, from 0.")
    page_start = models.PositiveIntegerField(help_text="Physical page number, 1-based.")
    page_end = models.PositiveIntegerField(help_text="Last page (a table continued on the next).")
    title = models.CharField(max_length=300, blank=True)
    # chunking.STATEMENTS kinds: income, balance_sheet, cash_flow, comprehensive_income,
    # equity; "" for segment, note and other tables.
    statement = models.CharField(max_length=32, blank=True)
    # One entry per column, left to right: {header, period, fiscal_year, period_end, months}
    # (tables.Column.as_json): "2023" → FY2023, "Three Months Ended June 30, 2023" → 3 months.
    columns = models.JSONField(default=list, blank=True)
    unit = models.CharField(max_length=16, blank=True, help_text='Currency, e.g. "USD".')
    scale = models.PositiveBigIntegerField(default=1, help_text="1, 1000, 1000000, …")
    unit_text = models.CharField(max_length=200, blank=True, help_text="As printed.")
    row_count = models.PositiveIntegerField(default=0)
    # {"<page>": [x0, y0, x1, y1]}: the table's box on each of its pages (page fractions,
    # origin top-left, as DocumentPage.boxes).
    boxes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["document", "ordinal"], name="table_unique_ordinal"),
            models.CheckConstraint(
                condition=models.Q(page_end__gte=models.F("page_start")),
                name="table_pages_ordered",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "statement"], name="table_tenant_statement")]

    def __str__(self) -> str:
        return f"{self.title or 'Table'} (p. {self.page_start})"

    @property
    def periods(self) -> list[str]:
        return [column.get("period") or column.get("header", "") for column in self.columns]


class TableCell(TenantOwned):
    """One figure of a table: its row (label with the sections above it), its column and
    period, the value with the table's scale and sign applied, as printed, and where."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="cells")
    # Kept beside the table's for the facts view of the sql route (one join fewer).
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField()
    column = models.PositiveIntegerField()
    label = models.CharField(max_length=300, help_text="The row's own label.")
    # ["Net revenues", "Cloud Services"]: the sections the row sits in, then its label.
    label_path = models.JSONField(default=list)
    header = models.CharField(max_length=200, blank=True, help_text="Column header as printed.")
    period = models.CharField(max_length=100, blank=True, help_text='"FY2023", "Q2 2023", …')
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    period_months = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.DecimalField(
        max_digits=28, decimal_places=6, null=True, blank=True, help_text="Scale applied."
    )
    raw = models.CharField(max_length=64, help_text='As printed: "(312.5)", "17.9%", "—".')
    unit = models.CharField(max_length=16, blank=True, help_text='"USD", "USD/share", "%", …')
    page = models.PositiveIntegerField()
    line = models.PositiveIntegerField(help_text="The row's line in the page's text, from 0.")
    box = models.JSONField(default=list, blank=True, help_text="[x0, y0, x1, y1] on the page.")

    class Meta:
        ordering = ["table", "row", "column"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "row", "column"], name="table_cell_unique_position"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "document"], name="table_cell_tenant_document"),
        ]

    def __str__(self) -> str:
        return f"{' / '.join(self.label_path)} [{self.header}] {self.raw}"
