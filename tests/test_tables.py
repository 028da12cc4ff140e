"""Financial tables as data: read at ingestion from PDFs the tests draw (periods, scale,
signs, row hierarchy, a table continued on the next page), stored per tenant, carried into
chunks with their headers, and listed by GET /api/v1/documents/{id}/tables."""

from decimal import Decimal

import pytest
from rest_framework.pagination import PageNumberPagination

from documents.models import Chunk, Document, Table, TableCell
from documents.parsing import extract_pages
from documents.tables import document_tables, page_tables
from tests.data.pdf_factory import filler, make_pdf, statement_pdf
from tests.fixtures.documents import ingest_pdf, upload_pdf
from tests.test_query_api import ask, ingest

YEARS_PAGE = [
    ("Net revenues", None, 0),
    ("Cloud Services", ("3,412.0", "3,130.3", "2,843.3"), 1),
    ("Devices", ("1,987.5", "1,823.4", "1,656.2"), 1),
    ("Total net revenues", ("5,399.5", "4,953.7", "4,499.5"), 0),
    ("Cost of revenues", ("(2,810.2)", "(2,611.9)", "(2,390.4)"), 0),
    ("Research and development", ("842.6", "790.3", "701.8"), 0),
    ("Diluted earnings per share", ("5.84", "4.97", "4.02"), 0),
]


def tables_of(data: bytes):
    return document_tables(list(extract_pages(data)))


def cell(table, label: str, period: str):
    return next(
        c
        for c in table.cells
        if c.label_path[-1] == label and table.columns[c.column].period == period
    )


# --- extraction --------------------------------------------------------------------------


def test_statement_with_three_year_columns_in_millions_gives_scaled_values_per_period():
    (table,) = tables_of(statement_pdf([YEARS_PAGE], caption="Years ended December 31"))
    assert table.title == "Consolidated Statements of Operations"
    assert table.statement == "income"
    assert [c.period for c in table.columns] == ["FY2023", "FY2022", "FY2021"]
    assert table.columns[0].period_end.isoformat() == "2023-12-31"
    assert table.scale == 1_000_000
    assert table.unit_text == "in millions, except per share data"
    total = cell(table, "Total net revenues", "FY2022")
    assert (total.raw, total.value) == ("4,953.7", Decimal("4953700000"))
    assert cell(table, "Research and development", "FY2021").value == Decimal("701800000")


def test_years_on_a_row_above_the_figures_are_the_periods():
    (table,) = tables_of(statement_pdf([YEARS_PAGE], years_row_above=True))
    assert [c.header for c in table.columns] == ["2023", "2022", "2021"]
    assert cell(table, "Devices", "FY2023").value == Decimal("1987500000")


def test_figures_in_parentheses_are_negative_and_per_share_figures_are_not_scaled():
    (table,) = tables_of(statement_pdf([YEARS_PAGE]))
    assert cell(table, "Cost of revenues", "FY2023").value == Decimal("-2810200000")
    per_share = cell(table, "Diluted earnings per share", "FY2023")
    assert per_share.value == Decimal("5.84")
    assert per_share.unit.endswith("share")


def test_indented_rows_carry_their_section_in_the_label_path():
    (table,) = tables_of(statement_pdf([YEARS_PAGE]))
    assert cell(table, "Cloud Services", "FY2023").label_path == ("Net revenues", "Cloud Services")
    assert cell(table, "Total net revenues", "FY2023").label_path == ("Total net revenues",)


def test_a_table_continued_on_the_next_page_under_its_header_is_one_table():
    second_page = [
        ("Operating income", ("909.8", "778.6", "640.0"), 0),
        ("Net income", ("726.9", "628.4", "515.5"), 0),
    ]
    (table,) = tables_of(statement_pdf([YEARS_PAGE, second_page]))
    assert (table.page_start, table.page_end) == (1, 2)
    net_income = cell(table, "Net income", "FY2021")
    assert (net_income.page, net_income.value) == (2, Decimal("515500000"))
    assert table.rows == 8
    assert set(table.boxes) == {1, 2}


def test_a_unit_line_between_the_years_and_the_first_row_scales_the_table():
    (table,) = tables_of(statement_pdf([YEARS_PAGE], unit_below=True))
    assert table.scale == 1_000_000
    assert cell(table, "Devices", "FY2023").value == Decimal("1987500000")
    # The unit line is not a section over the rows.
    assert cell(table, "Devices", "FY2023").label_path == ("Net revenues", "Devices")
    assert cell(table, "Total net revenues", "FY2023").label_path == ("Total net revenues",)


def test_numeric_dates_under_twelve_weeks_ended_are_quarter_periods():
    rows = [("Net revenue", ("17,846", "16,200"), 0), ("Gross profit", ("9,858", "8,767"), 0)]
    data = statement_pdf([rows], years=("3/25/2023", "3/19/2022"), caption="12 Weeks Ended")
    (table,) = tables_of(data)
    assert [c.period for c in table.columns] == [
        "3 months ended March 25, 2023",
        "3 months ended March 19, 2022",
    ]
    assert table.columns[1].period_end.isoformat() == "2022-03-19"


def test_rows_under_a_per_share_section_are_per_share_and_a_par_value_is_an_amount():
    rows = [
        ("Net income", ("726.9", "628.4", "515.5"), 0),
        ("Earnings per share:", None, 0),
        ("Diluted", ("5.84", "4.97", "4.02"), 1),
        ("Weighted-average shares used in per share calculation:", None, 0),
        ("Diluted", ("124.5", "126.4", "128.1"), 1),
        ("Common stock, $1 par value per share", ("271", "279", "281"), 0),
        ("Numerator for earnings per share calculation:", None, 0),
        ("Income from continuing operations", ("701.8", "640.0", "515.5"), 1),
    ]
    (table,) = tables_of(statement_pdf([rows]))
    diluted_eps, diluted_shares = [c for c in table.cells if c.label_path[-1] == "Diluted"][::3]
    assert (diluted_eps.value, diluted_eps.unit) == (Decimal("5.84"), "USD/share")
    assert (diluted_shares.value, diluted_shares.unit) == (Decimal("124500000"), "shares")
    assert cell(table, "Common stock, $1 par value per share", "FY2023").value == 271_000_000
    assert cell(table, "Income from continuing operations", "FY2023").value == 701_800_000


def small_print_page(lines: list[tuple[str, tuple[str, ...]]]):
    """page_tables' inputs for a page in small print (lines of labels up to 0.6 of the page
    width, two figure columns right of them), drawn by hand: the factory's type is too large
    for a label line longer than prose that still ends left of the figures."""
    texts, boxes, words = [], [], []
    for number, (label, figures) in enumerate(lines):
        top = 0.1 + number * 0.015
        parts = label.split()
        step = 0.55 / max(len(parts), 1)
        line_words = [
            (part, (0.05 + i * step, top, 0.05 + (i + 0.8) * step, top + 0.01))
            for i, part in enumerate(parts)
        ]
        line_words += [
            (figure, (left, top, left + 0.08, top + 0.01))
            for figure, left in zip(figures, (0.7, 0.85), strict=False)
        ]
        texts.append(" ".join([label, *figures]).strip())
        boxes.append((0.05, top, 0.93 if figures else 0.6, top + 0.01))
        has_digit = any(ch.isdigit() for ch in texts[-1])
        words.append(tuple(line_words) if has_digit or figures else None)
    return {"text": "\n".join(texts), "boxes": boxes, "words": words, "frame": lambda box: box}


def test_a_label_line_longer_than_prose_that_stops_on_a_connective_keeps_the_table_going():
    first = (
        "Common stock, $0.000001 par value, 2,400,000,000 shares authorized, 1,197,436,644 and "
        "1,192,093,991 shares issued at"
    )
    data = small_print_page(
        [
            ("2023 2022", ()),
            ("Additional paid-in capital", ("11,174", "10,963")),
            (first, ()),
            ("December 31, 2023 and 2022, respectively", ("—", "—")),
            ("Treasury stock, at cost", ("(5,563)", "(5,563)")),
        ]
    )
    (table,) = page_tables(number=1, **data)
    labels = [c.label_path[-1] for c in table.cells if c.column == 0]
    assert labels == [
        "Additional paid-in capital",
        f"{first} December 31, 2023 and 2022, respectively",
        "Treasury stock, at cost",
    ]


def test_a_label_wrapped_after_a_connective_is_one_row():
    first = "Common stock, $0.01 par value, 900 shares authorized and issued, net of"
    rows = [
        ("Additional paid-in capital", ("11,174.0", "10,963.0", "10,540.0"), 0),
        (first, None, 0),
        ("December 31, 2023 and 2022, respectively", ("0.1", "0.1", "0.1"), 1),
        ("Treasury stock, at cost", ("(5,563.0)", "(5,563.0)", "(5,563.0)"), 0),
        ("Equity securities N/A", None, 0),  # "A" of N/A is no connective
        ("Liabilities:", None, 0),
        ("Long-term debt", ("2,675.0", "2,671.0", "2,600.0"), 1),
    ]
    (table,) = tables_of(statement_pdf([rows]))
    labels = {c.label_path[-1] for c in table.cells}
    assert f"{first} December 31, 2023 and 2022, respectively" in labels
    assert cell(table, "Treasury stock, at cost", "FY2021").value == Decimal("-5563000000")
    assert cell(table, "Long-term debt", "FY2023").label_path == ("Liabilities", "Long-term debt")


def test_a_section_printed_flush_with_its_rows_heads_them_until_a_total_or_a_gap():
    rows = [
        ("Revenue", None, 0),
        ("Cloud", ("3,412.0", "3,130.3", "2,843.3"), 0),
        ("Devices", ("1,987.5", "1,823.4", "1,656.2"), 0),
        ("Total revenue", ("5,399.5", "4,953.7", "4,499.5"), 0),
        ("Operating income", ("909.8", "778.6", "640.0"), 0),
        ("Net loss per share", None, 0),
        ("Basic", ("(0.84)", "(0.53)", "(0.11)"), 0),
        ("", None, 0),  # a blank line: the rows below are not the section's
        ("Weighted-average shares", ("783", "768", "754"), 0),
        ("Commitments and contingencies (Note 23)", None, 0),
        ("Total equity", ("7,298", "6,454", "6,001"), 0),
        # Column titles printed across the figures, not a section over the rows below.
        ("By Business Segment Organic sales Acquisitions Divestitures Translation Total", None, 0),
        ("Safety and Industrial", ("1.0", "2.0", "3.0"), 0),
        # The long first line of a label wrapped before a capital heads nothing either.
        ("Cost of revenues from subscriptions, licensing and other services", None, 0),
        ("Costs", ("1", "2", "1"), 0),
        ("Product development", ("53", "61", "57"), 0),
    ]
    (table,) = tables_of(statement_pdf([rows]))
    paths = {c.label_path for c in table.cells}
    assert ("Revenue", "Devices") in paths
    assert ("Revenue", "Total revenue") in paths  # the total closes its section
    assert ("Operating income",) in paths
    assert ("Net loss per share", "Basic") in paths
    assert ("Weighted-average shares",) in paths
    assert ("Total equity",) in paths  # a line naming a note heads nothing
    assert ("Safety and Industrial",) in paths
    assert ("Product development",) in paths


def test_a_title_centred_above_the_column_header_is_not_part_of_the_header():
    data = statement_pdf([YEARS_PAGE], centred_line="SEGMENT RESULTS OF OPERATIONS")
    (table,) = tables_of(data)
    assert [c.period for c in table.columns] == ["FY2023", "FY2022", "FY2021"]


def test_a_page_of_prose_has_no_table():
    data = make_pdf([["# Outlook", *filler("outlook for 2024 and 2023", 20)]])
    assert tables_of(data) == []


def test_cell_boxes_are_on_the_page_where_the_figure_is_drawn():
    (table,) = tables_of(statement_pdf([YEARS_PAGE]))
    first, second = (cell(table, "Devices", period) for period in ("FY2023", "FY2022"))
    for box in (first.box, second.box):
        assert 0 <= box[0] < box[2] <= 1 and 0 <= box[1] < box[3] <= 1
    assert first.box[2] < second.box[0]  # 2023's column is left of 2022's
    assert first.box[1] == pytest.approx(second.box[1])


# --- ingestion and chunks ----------------------------------------------------------------


@pytest.mark.django_db
def test_ingestion_stores_the_tables_cells_for_the_tenant(tenant_a):
    document = ingest_pdf(tenant_a, statement_pdf([YEARS_PAGE]), name="statement.pdf")
    (table,) = Table.objects.for_tenant(tenant_a).filter(document=document)
    assert (table.statement, table.scale, table.periods) == (
        "income",
        1_000_000,
        ["FY2023", "FY2022", "FY2021"],
    )
    stored = TableCell.objects.for_tenant(tenant_a).get(
        table=table, label="Total net revenues", period="FY2023"
    )
    assert (stored.value, stored.raw, stored.page, stored.fiscal_year) == (
        Decimal("5399500000"),
        "5,399.5",
        1,
        2023,
    )
    assert stored.label_path == ["Total net revenues"]


@pytest.mark.django_db
def test_chunk_of_a_table_page_reads_each_figure_with_its_period(tenant_a):
    document = ingest_pdf(tenant_a, statement_pdf([YEARS_PAGE]), name="statement.pdf")
    text = "\n".join(
        Chunk.objects.for_tenant(tenant_a).filter(document=document).values_list("text", flat=True)
    )
    assert "Total net revenues — 2023: 5,399.5; 2022: 4,953.7; 2021: 4,499.5 (millions)" in text
    assert "Net revenues \u203a Cloud Services — 2023: 3,412.0;" in text


@pytest.mark.django_db
def test_offline_answer_to_a_revenue_question_names_the_years_figure(tenant_a, client_a):
    ingest(tenant_a, "contoso-systems-form-10k-2023.pdf")
    body = ask(client_a, "What was Contoso total revenue in fiscal 2023?")
    assert "2023: 6,054.8" in body["answer"]


# --- the tables API ----------------------------------------------------------------------


@pytest.fixture
def statement_document(tenant_a):
    second_page = [("Net income", ("726.9", "628.4", "515.5"), 0)]
    return ingest_pdf(tenant_a, statement_pdf([YEARS_PAGE, second_page]), name="statement.pdf")


@pytest.mark.django_db
def test_tables_api_lists_the_documents_tables_with_periods_and_cells(statement_document, client_a):
    response = client_a.get(f"/api/v1/documents/{statement_document.pk}/tables")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    (table,) = body["results"]
    assert (table["statement"], table["page_start"], table["page_end"]) == ("income", 1, 2)
    assert [c["period"] for c in table["columns"]] == ["FY2023", "FY2022", "FY2021"]
    assert table["page_image_url"].endswith(f"/documents/{statement_document.pk}/pages/1/image")
    rows = {row["label"]: row for row in table["rows"]}
    cloud = rows["Cloud Services"]
    assert cloud["label_path"] == ["Net revenues", "Cloud Services"]
    first = cloud["cells"][0]
    assert (first["period"], first["value"], first["raw"]) == (
        "FY2023",
        "3412000000",
        "3,412.0",
    )
    assert rows["Net income"]["cells"][0]["page"] == 2


@pytest.mark.django_db
def test_tables_api_is_paginated_like_the_documents_list(tenant_a, client_a, monkeypatch):
    rows = [
        ("Revenue", ("1,482.3", "1,301.7", "1,190.0"), 0),
        ("Costs", ("(50.0)", "(40.0)", "(30.0)"), 0),
    ]
    data = statement_pdf([rows] * 3, titles=("Note 3. Revenue", "Note 4. Costs", "Note 5. Other"))
    document = ingest_pdf(tenant_a, data, name="three-tables.pdf")
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    first = client_a.get(f"/api/v1/documents/{document.pk}/tables").json()
    assert first["count"] == 3
    assert [t["title"] for t in first["results"]] == ["Note 3. Revenue", "Note 4. Costs"]
    second = client_a.get(first["next"]).json()
    assert [t["page_start"] for t in second["results"]] == [3]
    assert second["next"] is None


@pytest.mark.django_db
def test_other_tenants_document_is_a_404_for_its_tables(statement_document, client_b):
    response = client_b.get(f"/api/v1/documents/{statement_document.pk}/tables")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_neighbours_tables_are_not_listed_for_tenant_a(neighbour, client_a, tenant_a):
    table_pdf = statement_pdf([YEARS_PAGE])
    neighbours = ingest_pdf(neighbour.tenant, table_pdf, name="statement.pdf")
    response = client_a.get(f"/api/v1/documents/{neighbours.pk}/tables")
    assert response.status_code == 404
    assert not Table.objects.for_tenant(tenant_a).exists()


@pytest.mark.django_db
def test_document_not_ready_is_409_for_its_tables(tenant_a, client_a):
    document = upload_pdf(tenant_a, statement_pdf([YEARS_PAGE]), name="statement.pdf")
    Document.objects.for_tenant(tenant_a).filter(pk=document.pk).update(status="processing")
    response = client_a.get(f"/api/v1/documents/{document.pk}/tables")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "document_not_ready"


@pytest.mark.django_db
def test_schema_documents_the_tables_endpoint(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    tables = schema["paths"]["/api/v1/documents/{document_id}/tables"]["get"]
    assert {"200", "404", "409"} <= set(tables["responses"])
    assert "TableOutput" in schema["components"]["schemas"]
    assert {"columns", "rows", "statement"} <= set(
        schema["components"]["schemas"]["TableOutput"]["properties"]
    )


# --- the admin ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_a_documents_tables_with_a_link_to_the_page_in_the_viewer(
    statement_document, admin_client
):
    document_page = admin_client.get(
        f"/admin/documents/document/{statement_document.pk}/change/"
    ).content.decode()
    assert f"document__id__exact={statement_document.pk}" in document_page
    listing = admin_client.get(
        f"/admin/documents/table/?document__id__exact={statement_document.pk}"
        f"&tenant__id__exact={statement_document.tenant_id}"
    )
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Consolidated Statements of Operations" in html
    assert "FY2023, FY2022, FY2021" in html
    table = Table.objects.for_tenant(statement_document.tenant).get()
    viewer = (
        f"/admin/documents/document/{statement_document.pk}/viewer/?page=1&amp;table={table.pk}"
    )
    assert viewer in html
    assert admin_client.get(viewer.replace("&amp;", "&")).status_code == 200
