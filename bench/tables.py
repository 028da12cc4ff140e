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

With `--cells [FILE]` it measures instead the cells of a hand-checked list (default
bench/data/filing_cells.jsonl; bench/data/filing_cells_heldout.jsonl was read after the
extractor was tuned on the first; bench/data/README.md tells how both were made: figures read
off rendered pages, not from our extractor). Only the listed filings are parsed, as ingestion
parses them (extract_pages, find_boilerplate, document_tables). Definitions:

- A listed cell's *row*: extracted cells on the listed page whose label path (sections and
  label, case-insensitive) contains every keyword, one of them in the row's own label (so
  the rows under a section "Adjustments to reconcile net income" are not the "net income" row).
- *Period* (`period_matches`): `FY2023` is a column of fiscal year 2023 that is not a 3-, 6- or
  9-month column; `2023-12-31` a column ending that day (period_end), or with no day known
  its fiscal year 2023 (not 3/6/9 months); `3M2023-06-30` (6M, 9M) a column of that many
  months (12/13 weeks count as 3) ending that day, or in that year when no day is known.
- *Cell recall*: listed cells for which the row holds a cell of exactly the listed value
  (Decimal, scale and sign applied; no tolerance, per-share figures are compared as printed)
  under a column of the listed period.
- *Period accuracy*: of the listed cells whose value is on the row, the share found under the
  right period.
- *Precision on the checked rows*: of the extracted cells on the listed rows that share a
  period or a value with the row's listed cells (others, such as a "% change" column, are not
  judged), the share whose value is the listed value for its column's period.

A miss is `table` (no cell read on the page), `row` (no row with the keywords), `value` (the
value not on the row; `sign` or `scale` when a cell of that period differs only by its sign or
by a power of 1,000) or `period` (the value on the row under another period). The report has
totals per filing and overall, then a MISS line per missed cell and a WRONG line per judged
cell that is wrong.

    .venv/bin/python -m bench.tables [DIR] --cells [FILE]
"""

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench._parsing import parse_and_extract, parse_extract_and_chunk, raw_extract
from documents.chunking import is_contents_listing, statement_of
from documents.tables import Column, ExtractedTable, extracted_rows_as_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "financebench-dev" / "pdfs"
DEFAULT_CELLS = ROOT / "bench" / "data" / "filing_cells.jsonl"
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


# --- hand-checked cells (--cells) --------------------------------------------------------

_PERIOD = re.compile(r"^(?:FY(?P<year>\d{4})|(?:(?P<months>[369])M)?(?P<day>\d{4}-\d{2}-\d{2}))$")
_KEYS = {"file", "page", "keywords", "period", "value"}
MISS_KINDS = ("table", "row", "value", "sign", "scale", "period")
_THOUSAND = Decimal(1000)


class CellListError(ValueError):
    """The hand-checked list cannot be used; the message names the file (and the line)."""


@dataclass(frozen=True)
class ListedCell:
    """One hand-checked cell: where it is printed, the row's keywords, its period and value."""

    file: str
    page: int
    keywords: tuple[str, ...]
    period: str  # "FY2023", "2023-12-31", "3M2023-06-30"
    value: Decimal

    @property
    def row(self) -> tuple[str, int, tuple[str, ...]]:
        return (self.file, self.page, self.keywords)


@dataclass
class CellOutcome:
    """A listed cell found or missed, with the cells the extractor put on its row."""

    listed: ListedCell
    kind: str  # "found" or one of MISS_KINDS
    on_row: list[tuple[str, Decimal | None]]  # (column period, value) of the row's cells


@dataclass
class CellScore:
    """Every listed cell's outcome, and precision's counts on the listed rows."""

    outcomes: list[CellOutcome] = field(default_factory=list)
    judged: Counter = field(default_factory=Counter)  # file -> cells judged for precision
    correct: Counter = field(default_factory=Counter)  # file -> of those, right
    unjudged: int = 0
    # (row, column period, value) of each judged cell that is wrong
    wrong: list[tuple[tuple, str, Decimal | None]] = field(default_factory=list)


def cells_load(path: Path) -> list[ListedCell]:
    """The hand-checked cells of a JSON-lines file (bench/data/README.md)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CellListError(f"{path}: cannot read the list of cells ({exc})") from exc
    cells = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cells.append(_listed_cell(json.loads(line, parse_float=Decimal, parse_int=Decimal)))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise CellListError(f"{path}:{number}: {exc}") from exc
    if not cells:
        raise CellListError(f"{path}: no cells listed")
    return cells


def _listed_cell(item) -> ListedCell:
    if not isinstance(item, dict) or set(item) != _KEYS:
        raise ValueError(f"expected an object with exactly {', '.join(sorted(_KEYS))}")
    file, page, keywords = item["file"], item["page"], item["keywords"]
    period, value = item["period"], item["value"]
    if not isinstance(file, str) or not file.lower().endswith(".pdf"):
        raise ValueError(f"file must be a PDF's name, not {file!r}")
    if not isinstance(page, Decimal) or page != page.to_integral_value() or page < 1:
        raise ValueError(f"page must be a 1-based page number, not {page!r}")
    if (
        not isinstance(keywords, list)
        or not 1 <= len(keywords) <= 4
        or not all(isinstance(k, str) and k.strip() and k == k.lower() for k in keywords)
    ):
        raise ValueError(f"keywords must be 1-4 lowercase strings, not {keywords!r}")
    match = _PERIOD.match(period) if isinstance(period, str) else None
    if match is None:
        raise ValueError(f"period must be FY2023, 2023-12-31 or 3M2023-06-30, not {period!r}")
    if match["day"]:
        date.fromisoformat(match["day"])  # ValueError for 2023-02-30
    if not isinstance(value, Decimal):
        raise ValueError(f"value must be a number, not {value!r}")
    return ListedCell(file, int(page), tuple(keywords), period, value)


def period_matches(period: str, column: Column) -> bool:
    """Whether a column stands for a listed period (see the module docstring)."""
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError(f"not a listed period: {period!r}")
    if match["year"]:
        return column.fiscal_year == int(match["year"]) and column.months not in (3, 6, 9)
    day = date.fromisoformat(match["day"])
    if match["months"] and column.months != int(match["months"]):
        return False
    if column.period_end is not None:
        return column.period_end == day
    return column.fiscal_year == day.year and (
        bool(match["months"]) or column.months not in (3, 6, 9)
    )


def on_row(label_path, keywords) -> bool:
    """Every keyword in the label path, and one of them in the row's own label."""
    if not label_path:
        return False
    path = " ".join(" ".join(label_path).lower().split())
    own = " ".join(label_path[-1].lower().split())
    return all(k in path for k in keywords) and any(k in own for k in keywords)


def cells_score(listed: list[ListedCell], tables: dict[str, list[ExtractedTable]]) -> CellScore:
    """Each listed cell found or missed (and how), and precision on the listed rows, from
    the tables extracted from each listed file."""
    by_page: dict[tuple[str, int], list] = {}
    for name, extracted in tables.items():
        for table in extracted:
            for cell in table.cells:
                by_page.setdefault((name, cell.page), []).append((cell, table.columns[cell.column]))
    score = CellScore()
    rows: dict[tuple, list[ListedCell]] = {}
    for item in listed:
        rows.setdefault(item.row, []).append(item)
    for (name, page, keywords), row_listed in rows.items():
        page_cells = by_page.get((name, page), [])
        row_cells = [(c, col) for c, col in page_cells if on_row(c.label_path, keywords)]
        shown = [(col.period or col.header, c.value) for c, col in row_cells]
        for item in row_listed:
            score.outcomes.append(CellOutcome(item, _outcome(item, page_cells, row_cells), shown))
        for cell, column in row_cells:
            periods = [i for i in row_listed if period_matches(i.period, column)]
            if not periods and all(cell.value != i.value for i in row_listed):
                score.unjudged += 1  # a column the list does not check ("% change")
                continue
            score.judged[name] += 1
            if any(cell.value == i.value for i in periods):
                score.correct[name] += 1
            else:
                score.wrong.append(
                    ((name, page, keywords), column.period or column.header, cell.value)
                )
    return score


def _outcome(item: ListedCell, page_cells: list, row_cells: list) -> str:
    if not page_cells:
        return "table"
    if not row_cells:
        return "row"
    same_value = [column for cell, column in row_cells if cell.value == item.value]
    if any(period_matches(item.period, column) for column in same_value):
        return "found"
    if same_value:
        return "period"
    for cell, column in row_cells:
        if cell.value is None or not period_matches(item.period, column):
            continue
        if cell.value == -item.value:
            return "sign"
        if item.value and any(cell.value == item.value * _THOUSAND**k for k in (-2, -1, 1, 2)):
            return "scale"
    return "value"


def cells_report(listed: list[ListedCell], score: CellScore) -> list[str]:
    """The report's lines: totals per filing and overall, misses by kind, one line a miss."""
    files = sorted({item.file for item in listed})
    header = f"{'file':40} {'cells':>5} {'found':>5} {'recall':>7} {'period':>7} {'precision':>17}"
    lines = [header]
    for name in [*files, None]:
        outcomes = [o for o in score.outcomes if name is None or o.listed.file == name]
        found = sum(o.kind == "found" for o in outcomes)
        valued = found + sum(o.kind == "period" for o in outcomes)
        judged = sum(score.judged.values()) if name is None else score.judged[name]
        correct = sum(score.correct.values()) if name is None else score.correct[name]
        if name is None:
            lines.append("-" * len(header))
        lines.append(
            f"{(name or f'all ({len(files)} filings)')[:40]:40} {len(outcomes):5d} {found:5d} "
            f"{_share(found, len(outcomes)):>7} {_share(found, valued):>7} "
            f"{f'{correct}/{judged} {_share(correct, judged)}':>17}"
        )
    kinds = Counter(o.kind for o in score.outcomes)
    lines.append(
        "misses by kind: "
        + ", ".join(f"{kind} {kinds[kind]}" for kind in MISS_KINDS)
        + f"; precision judged {sum(score.judged.values())} cells on the listed rows"
        f" ({score.unjudged} others not judged)"
    )
    for o in score.outcomes:
        if o.kind == "found":
            continue
        item = o.listed
        found = "; ".join(f"{period or '?'}={value}" for period, value in o.on_row[:6]) or "-"
        lines.append(
            f"MISS {o.kind:6} {item.file} p.{item.page} {list(item.keywords)} {item.period}: "
            f"expected {item.value}, on the row: {found}"
        )
    for (name, page, keywords), period, value in score.wrong:
        lines.append(f"WRONG  {name} p.{page} {list(keywords)}: {period or '?'}={value}")
    return lines


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def cells_main(cells_path: Path, directory: Path) -> None:
    try:
        listed = cells_load(cells_path)
    except CellListError as exc:
        sys.exit(f"error: {exc}")
    files = sorted({item.file for item in listed})
    missing = [name for name in files if not (directory / name).is_file()]
    if missing:
        sys.exit(
            f"error: {len(missing)} listed filing(s) not in {directory}: {', '.join(missing)}. "
            "The real filings are kept outside the repository; pass the folder that holds them."
        )
    started = time.perf_counter()
    tables = {name: parse_and_extract((directory / name).read_bytes())[2] for name in files}
    score = cells_score(listed, tables)
    print(
        f"hand-checked cells: {cells_path.name}, {len(listed)} cells of {len(files)} filings "
        f"({len({item.row for item in listed})} rows); parsed in "
        f"{time.perf_counter() - started:.0f} s"
    )
    print("\n".join(cells_report(listed, score)))


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tables", description=__doc__.splitlines()[0]
    )
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--docs", type=int, default=0, help="first N PDFs by name (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="paired timing rounds per PDF")
    parser.add_argument("--rows", type=int, default=12, help="sample rows to print")
    parser.add_argument(
        "--cells",
        nargs="?",
        type=Path,
        const=DEFAULT_CELLS,
        metavar="FILE",
        help="score the hand-checked cells of FILE instead (default bench/data/filing_cells.jsonl)",
    )
    args = parser.parse_args()
    if args.cells:
        cells_main(args.cells, args.directory)
        return
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
