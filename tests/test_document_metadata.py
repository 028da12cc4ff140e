"""Document metadata read from cover pages (PDFs made here, parsed by the project's parser),
and recorded at ingestion without overwriting a correction."""

from datetime import date

import pytest

from documents.metadata import DocumentMetadata, document_label, metadata_from_pages
from documents.models import Chunk, Document
from documents.parsing import extract_pages
from documents.services import document_ingest, document_metadata_correct
from tests.data.pdf_factory import (
    annual_report_cover,
    cover_8k,
    cover_10k,
    cover_10q,
    earnings_release_page,
    filler,
    make_pdf,
    nothing_to_find_page,
)
from tests.fixtures.documents import ingest_pdf


def read(*pages: list[str]) -> DocumentMetadata:
    """Metadata of a PDF made of these pages, parsed as ingestion parses it."""
    pdf = make_pdf([*pages, filler("operations")])
    return metadata_from_pages([page.text for page in extract_pages(pdf)])


def test_10k_cover_gives_registrant_ticker_form_and_fiscal_year():
    assert read(cover_10k()) == DocumentMetadata(
        company="Acme Widgets Corporation",
        ticker="ACMW",
        form_type="10-K",
        fiscal_year=2023,
        fiscal_quarter=None,
        period_end=date(2023, 12, 31),
    )


def test_fiscal_year_is_the_year_it_ends_in():
    found = read(cover_10k(year_ended="May 31, 2019"))
    assert (found.fiscal_year, found.period_end) == (2019, date(2019, 5, 31))


def test_a_52_week_year_ending_in_the_first_days_of_january_belongs_to_the_year_before():
    found = read(cover_10k(year_ended="January 2, 2021"))
    assert (found.fiscal_year, found.period_end) == (2020, date(2021, 1, 2))


def test_a_name_printed_in_capitals_is_title_cased_but_short_words_stay():
    assert read(cover_10k(company="ABC HEALTH CORPORATION")).company == "ABC Health Corporation"
    assert read(cover_10k(company="3M COMPANY")).company == "3M Company"
    assert read(cover_10k(company="ZETA, Inc.")).company == "ZETA, Inc."  # mixed: as printed


def test_the_registrant_may_be_printed_below_its_label():
    page = cover_10k()
    name = page.index("# ACME WIDGETS CORPORATION")
    page[name], page[name + 1] = page[name + 1], page[name]
    assert read(page).company == "Acme Widgets Corporation"


def test_a_10k_cover_after_pages_of_letters_is_still_found():
    letter = ["# Dear shareholders", "We report another year of growth.", *filler("letter")]
    found = read(letter, letter, cover_10k())
    assert (found.form_type, found.fiscal_year, found.company) == (
        "10-K",
        2023,
        "Acme Widgets Corporation",
    )


def test_10q_cover_gives_the_quarter_and_period_end():
    found = read(cover_10q())
    assert found == DocumentMetadata(
        company="Globex Financial Corp.",
        ticker="GLBX",
        form_type="10-Q",
        fiscal_year=2024,
        fiscal_quarter=2,
        period_end=date(2024, 6, 30),
    )


def test_10q_naming_its_fiscal_quarter_is_taken_at_its_word():
    """A fiscal year ending in May: the quarter ended November 30, 2023 is Q2 of fiscal 2024,
    which the calendar alone would call Q4 of 2023."""
    page = [*cover_10q(period_ended="November 30, 2023"), "Results for the second quarter of"]
    page.append("fiscal 2024 are discussed in Item 2.")
    found = read(page)
    assert (found.fiscal_year, found.fiscal_quarter) == (2024, 2)
    assert found.period_end == date(2023, 11, 30)


def test_8k_cover_gives_the_registrant_and_the_year_of_its_report_date():
    found = read(cover_8k())
    assert found == DocumentMetadata(
        company="Initech, Inc.", form_type="8-K", fiscal_year=2023, period_end=None
    )


def test_earnings_release_headline_gives_quarter_and_the_listing_the_ticker():
    found = read(earnings_release_page())
    assert found == DocumentMetadata(
        company="Umbrella Foods, Inc.",
        ticker="UMBF",
        form_type="earnings_release",
        fiscal_year=2024,
        fiscal_quarter=2,
        period_end=date(2024, 6, 15),
    )


@pytest.mark.parametrize(
    ("headline", "year", "quarter"),
    [
        ("Acme reports first quarter 2023 results", 2023, 1),
        ("Acme Reports Fourth Quarter and Full Year 2022 Results", 2022, 4),
        ("Acme Announces Fiscal 2024 Second Quarter Results", 2024, 2),
        ("Acme Reports Q3 2021 Earnings", 2021, 3),
        ("Acme Reports Full Year 2023 Results", 2023, None),
    ],
)
def test_earnings_headlines_name_the_period(headline, year, quarter):
    found = metadata_from_pages([f"## {headline}\nRevenue rose 4% on the year."])
    assert (found.form_type, found.fiscal_year, found.fiscal_quarter) == (
        "earnings_release",
        year,
        quarter,
    )
    assert found.company == "Acme"


def test_annual_report_that_is_not_an_sec_form():
    found = read(annual_report_cover())
    assert found == DocumentMetadata(
        company="Harbour Minerals Limited",
        form_type="annual_report",
        fiscal_year=2024,
        period_end=date(2024, 6, 30),
    )


def test_a_page_with_nothing_to_find_leaves_every_field_empty():
    assert read(nothing_to_find_page()) == DocumentMetadata()
    assert metadata_from_pages([]) == DocumentMetadata()
    assert metadata_from_pages(["", "   "]) == DocumentMetadata()


# --- at ingestion ------------------------------------------------------------------------


def ingested(tenant, *pages: list[str], name: str = "filing.pdf") -> Document:
    return ingest_pdf(tenant, make_pdf([*pages, filler("operations")]), name=name)


@pytest.mark.django_db
def test_ingestion_records_the_metadata_read_from_the_cover(tenant_a):
    document = ingested(tenant_a, cover_10k())
    assert (document.company, document.ticker, document.form_type) == (
        "Acme Widgets Corporation",
        "ACMW",
        "10-K",
    )
    assert (document.fiscal_year, document.period_end) == (2023, date(2023, 12, 31))
    assert document.metadata_source == "extracted"


@pytest.mark.django_db
def test_each_chunk_says_whose_filing_and_which_period_it_is(tenant_a):
    """The embedded context starts with the document's label, not its PDF title."""
    document = ingested(tenant_a, cover_10k())
    contexts = set(
        Chunk.objects.for_tenant(tenant_a)
        .filter(document=document)
        .values_list("context", flat=True)
    )
    assert contexts and all(
        context.startswith("Acme Widgets Corporation 10-K FY2023") for context in contexts
    )


def test_a_document_label_names_company_form_and_period_or_nothing():
    assert document_label(company="Acme", form_type="10-Q", fiscal_year=2023, fiscal_quarter=2) == (
        "Acme 10-Q Q2 FY2023"
    )
    assert (
        document_label(
            company="Acme", form_type="annual_report", fiscal_year=2023, fiscal_quarter=None
        )
        == "Acme Annual report FY2023"
    )
    assert document_label(company="Acme", form_type="", fiscal_year=None, fiscal_quarter=None) == (
        "Acme"
    )
    assert document_label(company="", form_type="10-K", fiscal_year=2023, fiscal_quarter=None) == ""


@pytest.mark.django_db
def test_ingesting_again_keeps_a_correction(tenant_a):
    document = ingested(tenant_a, cover_10k())
    document_metadata_correct(
        tenant=tenant_a, document_id=document.pk, source="tenant", fiscal_year=2022
    )
    Document.objects.filter(pk=document.pk).update(status="processing", company="")

    assert document_ingest(document_id=document.pk) == "ready"

    document.refresh_from_db()
    assert (document.fiscal_year, document.metadata_source, document.company) == (
        2022,
        "tenant",
        "",
    )


@pytest.mark.django_db
def test_ingesting_again_rereads_metadata_nobody_corrected(tenant_a):
    document = ingested(tenant_a, cover_10k())
    Document.objects.filter(pk=document.pk).update(status="processing", company="", ticker="")

    document_ingest(document_id=document.pk)

    document.refresh_from_db()
    assert (document.company, document.ticker) == ("Acme Widgets Corporation", "ACMW")


@pytest.mark.django_db
def test_documents_ingested_before_metadata_get_it_from_their_stored_pages(tenant_a):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("documents.migrations.0003_document_metadata")
    document = ingested(tenant_a, cover_8k())
    Document.objects.filter(pk=document.pk).update(company="", form_type="", fiscal_year=None)

    backfill.read_existing_metadata(apps, None)

    document.refresh_from_db()
    assert (document.company, document.form_type, document.fiscal_year) == (
        "Initech, Inc.",
        "8-K",
        2023,
    )
