"""What bench.ingest and bench.tables both time, with no database: raw pypdfium2 text
extraction (the baseline) and ingestion's work before embedding."""

import pypdfium2 as pdfium

from documents.chunking import PageText, plan_chunks
from documents.parsing import extract_pages, find_boilerplate
from documents.tables import document_tables, extracted_rows_as_text


def raw_extract(data: bytes) -> int:
    pdf = pdfium.PdfDocument(data)
    pages = len(pdf)
    for index in range(pages):
        page = pdf[index]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    pdf.close()
    return pages


def parse_and_extract(data: bytes):
    """Pages, running headers and tables, as ingestion reads them (services._pages)."""
    pages = list(extract_pages(data))
    boilerplate = find_boilerplate([page.text for page in pages])
    return pages, boilerplate, document_tables(pages, boilerplate=boilerplate)


def parse_extract_and_chunk(data: bytes):
    """What ingestion does before embedding: pages, running headers, tables, chunks."""
    pages, boilerplate, tables = parse_and_extract(data)
    rows = extracted_rows_as_text(tables)
    plan_chunks(
        [
            PageText(p.number, p.label, p.text, p.boxes, table_rows=rows.get(p.number, {}))
            for p in pages
        ],
        title="T",
        boilerplate=boilerplate,
    )
    return pages, tables
