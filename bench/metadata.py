"""Document metadata on real filings (not part of `make test`): for each PDF of a folder,
parse its first pages with the project's parser, read the metadata as ingestion does
(`documents.metadata.metadata_from_pages`) and compare it with the folder's
`documents.json` (per PDF: company, type, period), then print the accuracy of the form type,
the fiscal year and the company.

Company match: the extracted name, lower-cased with everything but letters and digits
removed, contains the expected short name normalised the same way ("3M" in "3M Company").
No database is needed. The filings are read from the folder at run time and never copied
into the repository (the dev set's licence forbids it).

    .venv/bin/python -m bench.metadata [DIR]     # DIR defaults to ../shared/financebench-dev
"""

import argparse
import itertools
import json
import re
import sys
import time
from pathlib import Path

from documents.metadata import FIRST_PAGES, FormType, metadata_from_pages
from documents.parsing import extract_pages

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DIR = ROOT.parent / "shared" / "financebench-dev"
# documents.json's "type" → the form type ingestion should find.
EXPECTED_FORMS = {
    "10k": FormType.FORM_10K,
    "10q": FormType.FORM_10Q,
    "8k": FormType.FORM_8K,
    "earnings": FormType.EARNINGS_RELEASE,
    "annual_report": FormType.ANNUAL_REPORT,
}


def normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def company_matches(extracted: str, expected: str) -> bool:
    return bool(extracted) and normalised(expected) in normalised(extracted)


def load_documents(directory: Path) -> list[dict]:
    listing = directory / "documents.json"
    if not (directory / "pdfs").is_dir() or not listing.is_file():
        sys.exit(
            f"error: {directory} has no pdfs/ folder and documents.json. The real filings are "
            "kept outside the repository; pass the folder that holds them (default "
            "../shared/financebench-dev beside the repository)."
        )
    return json.loads(listing.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.metadata", description=__doc__.splitlines()[0]
    )
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--only", nargs="*", default=[], help="file names (or parts) to run")
    args = parser.parse_args()
    documents = load_documents(args.directory)
    if args.only:
        documents = [d for d in documents if any(part in d["doc"] for part in args.only)]

    totals = {"form": 0, "year": 0, "company": 0}
    seconds = 0.0
    print(f"{'file':44} {'form':>17} {'FY':>11} {'Q':>2}  company (extracted | expected)")
    for entry in documents:
        data = (args.directory / "pdfs" / entry["doc"]).read_bytes()
        started = time.perf_counter()
        pages = [page.text for page in itertools.islice(extract_pages(data), FIRST_PAGES)]
        found = metadata_from_pages(pages)
        seconds += time.perf_counter() - started
        expected_form = EXPECTED_FORMS.get(entry["type"].lower(), entry["type"])
        checks = {
            "form": found.form_type == expected_form,
            "year": found.fiscal_year == entry["period"],
            "company": company_matches(found.company, entry["company"]),
        }
        for name, ok in checks.items():
            totals[name] += ok

        def cell(ok: bool, value) -> str:
            return f"{value or '-'}{'' if ok else ' ✗'}"

        print(
            f"{entry['doc'][:44]:44} {cell(checks['form'], found.form_type):>17} "
            f"{cell(checks['year'], found.fiscal_year):>11} {found.fiscal_quarter or '-':>2}  "
            f"{cell(checks['company'], found.company)} | {entry['company']}"
            f"{'  ' + found.ticker if found.ticker else ''}"
        )
    count = len(documents)
    if not count:
        sys.exit("error: no documents to run.")
    print()
    for name, label in (("form", "form type"), ("year", "fiscal year"), ("company", "company")):
        print(f"{label:12} {totals[name]:3d}/{count} = {totals[name] / count:6.1%}")
    print(
        f"{count} documents, first {FIRST_PAGES} pages each: parse + metadata "
        f"{seconds * 1000 / count:.0f} ms per document"
    )


if __name__ == "__main__":
    main()
