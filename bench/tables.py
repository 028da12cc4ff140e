"""Table extraction on real filings (not part of `make test`): for each PDF of a folder, time
raw pypdfium2 text extraction against our parse + table extraction + chunking (paired
rounds, as bench.ingest), and print the tables and cells found, the share of primary
statement pages (income, balance sheet, cash flow) where a table with at least two periods
was found, and a few parsed rows to eyeball.

A statement page is one whose title chunking.statement_of recognises, with at least 8 lines
of two or more figures, that is not a contents listing (an index of statements names them
too, with no table). No
database is needed; the filings are read at run time and never copied into the repository.

    .venv/bin/python -m bench.tables [DIR] [--docs N] [--repeat 3] [--rows 12]
    # DIR defaults to ../shared/financebench-dev/pdfs (a folder of PDFs)
"""

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

from bench._parsing import parse_extract_and_chunk, raw_extract
from documents.chunking import is_contents_listing, statement_of
from documents.tables import extracted_rows_as_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "financebench-dev" / "pdfs"
STATEMENT_KINDS = ("income", "balance_sheet", "cash_flow")
_FIGURE = re.compile(r"\d,\d{3}|\d\.\d|\(\d")


def statement_pages(pages) -> dict[int, str]:
    out = {}
    for page in pages:
        lines = page.text.split("\n")
        kind, _ = statement_of(lines)
        figures = sum(len(_FIGURE.findall(line)) >= 2 for line in lines)
        if kind in STATEMENT_KINDS and figures >= 8 and not is_contents_listing(page.text):
            out[page.number] = kind
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tables", description=__doc__.splitlines()[0]
    )
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--docs", type=int, default=0, help="first N PDFs by name (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="paired timing rounds per PDF")
    parser.add_argument("--rows", type=int, default=12, help="sample rows to print")
    args = parser.parse_args()
    paths = sorted(args.directory.glob("*.pdf"))
    if args.docs:
        paths = paths[: args.docs]
    if not paths:
        sys.exit(
            f"error: no PDFs in {args.directory}. The real filings are kept outside the "
            "repository; pass the folder that holds them."
        )

    raw_seconds = our_seconds = 0.0
    ratios = []
    total_pages = total_tables = total_cells = 0
    statements = {kind: [0, 0] for kind in STATEMENT_KINDS}  # kind -> [found, pages]
    samples = []
    print(f"{'file':40} {'pages':>5} {'tables':>6} {'cells':>6} {'raw p/s':>8} {'ours p/s':>8}")
    for path in paths:
        data = path.read_bytes()
        raw_times, our_times = [], []
        for round_ in range(args.repeat):
            order = (raw_extract, parse_extract_and_chunk)
            for function in order if round_ % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                result = function(data)
                elapsed = time.perf_counter() - started
                if function is raw_extract:
                    raw_times.append(elapsed)
                else:
                    our_times.append(elapsed)
                    pages, tables = result
        ratios.append(statistics.median(r / o for r, o in zip(raw_times, our_times, strict=True)))
        raw_seconds += min(raw_times)
        our_seconds += min(our_times)
        cells = sum(len(table.cells) for table in tables)
        total_pages += len(pages)
        total_tables += len(tables)
        total_cells += cells
        found_pages = {
            page
            for table in tables
            if sum(column.fiscal_year is not None for column in table.columns) >= 2
            for page in range(table.page_start, table.page_end + 1)
        }
        for number, kind in statement_pages(pages).items():
            statements[kind][1] += 1
            statements[kind][0] += number in found_pages
        texts = extracted_rows_as_text(tables)
        for table in tables:
            if table.statement:
                rows = texts.get(table.page_start, {})
                samples.extend(
                    (path.name, table.page_start, table.statement, text)
                    for text in list(rows.values())[:3]
                )
        print(
            f"{path.name[:40]:40} {len(pages):5d} {len(tables):6d} {cells:6d} "
            f"{len(pages) / min(raw_times):8.0f} {len(pages) / min(our_times):8.0f}"
        )

    print()
    print(
        f"{len(paths)} documents, {total_pages} pages: {total_tables} tables, {total_cells} cells"
    )
    print(
        f"raw pypdfium2 {total_pages / raw_seconds:.0f} pages/s; parse + tables + chunk "
        f"{total_pages / our_seconds:.0f} pages/s ({raw_seconds / our_seconds:.0%} of raw; "
        f"median of per-document paired ratios {statistics.median(ratios):.0%})"
    )
    found = sum(f for f, _ in statements.values())
    pages_ = sum(p for _, p in statements.values())
    print(
        "statement pages with a table of >= 2 periods: "
        + ", ".join(f"{kind} {f}/{p}" for kind, (f, p) in statements.items())
        + (f"; all {found}/{pages_} = {found / pages_:.0%}" if pages_ else "")
    )
    print()
    for name, page, kind, text in random.Random(14).sample(samples, min(args.rows, len(samples))):
        print(f"{name[:28]:28} p.{page:<4} {kind:14} {text[:150]}")


if __name__ == "__main__":
    main()
