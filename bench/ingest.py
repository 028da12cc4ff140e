"""Ingestion throughput (not part of `make test`), on the sample generator's long filings.

Prints pages/s for: raw pypdfium2 text extraction (the baseline: open, load each page's text,
get_text_range), our parse + chunk (rows merged, headings, running headers found and dropped,
page-bounded chunks), and the whole ingestion with the local embedder (parse, chunk, embed,
write pages and chunks to PostgreSQL with the HNSW and GIN indexes). Target: parse + chunk
at least 70 % of raw.

    .venv/bin/python bench/ingest.py [--repeat 5]
"""

import argparse
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
from _scratch import scratch_database  # also sets up Django
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.chunking import PageText, plan_chunks
from documents.parsing import extract_pages, find_boilerplate
from documents.services import document_ingest, document_upload
from samples.make_financial_pdfs import generate
from tenants.services import tenant_create


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


def parse_and_chunk(data: bytes) -> int:
    pages = list(extract_pages(data))
    boilerplate = find_boilerplate([page.text for page in pages])
    plan_chunks(
        [PageText(p.number, p.label, p.text) for p in pages], title="T", boilerplate=boilerplate
    )
    return len(pages)


def best_rate(function, files: list[bytes], repeat: int) -> float:
    """Pages per second of the best of `repeat` passes over all files."""
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        started = time.perf_counter()
        pages = sum(function(data) for data in files)
        best = min(best, time.perf_counter() - started)
    return pages / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="filings-"))
    generate(out, long=True)
    paths = sorted(out.glob("*.pdf"))
    files = [path.read_bytes() for path in paths]
    pages = sum(len(pdfium.PdfDocument(data)) for data in files)
    print(f"{len(files)} filings, {pages} pages")
    raw = best_rate(raw_extract, files, args.repeat)
    ours = best_rate(parse_and_chunk, files, args.repeat)
    print(f"  raw pypdfium2 text extraction   {raw:8.0f} pages/s  (baseline)")
    print(f"  parse + chunk                   {ours:8.0f} pages/s  ({ours / raw:.0%} of raw)")

    with scratch_database("ingest"):
        tenant = tenant_create(name="Bench ingest", slug="bench-ingest")
        started = time.perf_counter()
        for path, data in zip(paths, files, strict=True):
            document = document_upload(
                tenant=tenant, files=[SimpleUploadedFile(path.name, data)]
            ).documents[0]
            document_ingest(document_id=document.pk)
        elapsed = time.perf_counter() - started
        print(
            f"  full ingestion, local embedder  {pages / elapsed:8.0f} pages/s  "
            f"({pages / elapsed / raw:.0%} of raw; upload, parse, chunk, embed, write)"
        )


if __name__ == "__main__":
    main()
