"""Financial tables read from the parsed pages: statements, segment and note tables with
their periods, units, row hierarchy and typed cells (see docs/ingestion.md, Tables).

Everything comes from the one pypdfium2 pass (documents/parsing.py): the page's lines with
their boxes, and for lines that may be table rows or headers, their words with boxes
(`ParsedPage.words`). A table starts at a header line that names a period (a year, a date,
FY2023) or at the column headers above its first row of figures; its columns are the
x-ranges its figures occupy, and each header phrase belongs to the columns it stands over.
A row is a label followed by figures; label-only rows are sections, and indentation (the
label's left edge) nests rows under them. A table that ends one page and starts the next
under the same column headers becomes one table.
"""

import calendar
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from documents.chunking import heading_of, statement_of
from documents.parsing import HEADING_MARK, boilerplate_key

Box = tuple[float, float, float, float]  # [x0, y0, x1, y1], fractions, origin top-left

# --- words -------------------------------------------------------------------------------

_DASHES = "\u2014\u2013-"
# A figure as printed: 1,482.3  (842.1)  $6,054.8  -3.5  12.4%  (3.5)%  and a dash for nil.
_VALUE = re.compile(
    r"^(?P<open>\()?(?P<minus>[-\u2212\u2013])?\$?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<close>\))?(?P<percent>%)?(?P<close2>\))?$"
)
_QUARTER_YEAR = re.compile(r"^([1-4])Q(\d{2})$")  # "1Q21"
# "3/25/2023": a date as earnings releases head their columns (month first, as US filers do).
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b")
_FOOTNOTE = re.compile(r"^\(\d\)$")  # "2019 2018 (1)": a footnote marker in a header
_NIL = frozenset({"\u2014", "\u2013", "-", "\u2014\u2014", "--", "\u2212"})
_YEAR = re.compile(
    r"^\(?(?:FY|Fiscal)?'?(?P<year>(?:19|20)\d{2})[,.)]?$|^FY(?P<short>\d{2})$", re.I
)
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
# Words that make a line a column header rather than a row (with a year or a date).
_HEADER_WORDS = re.compile(
    r"\b(ended|ending|months|weeks|quarter|year|years|fiscal|as of|at|Q[1-4])\b", re.IGNORECASE
)
_MONTH_NAMES = "|".join(_MONTHS)
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\.? \d{{1,2}}\b", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_NAMES})\b", re.IGNORECASE)
_MONTH_THEN_DAY = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})\b", re.IGNORECASE)
_SCALE_WORDS = {
    "thousand": 1_000,
    "thousands": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
}
_UNIT_LINE = re.compile(r"\b(thousands?|millions?|billions?)\b", re.IGNORECASE)
_PER_SHARE = re.compile(r"per (?:common |ordinary |diluted |basic )?share|\beps\b", re.IGNORECASE)
_SHARES = re.compile(r"\bshares\b", re.IGNORECASE)
# A section that names the table's unit or an EPS numerator does not make its rows per share.
_NOT_A_MEASURE = re.compile(
    r"\b(?:thousands?|millions?|billions?|numerator|denominator)\b", re.IGNORECASE
)
_PAR_VALUE = re.compile(r"par value\b[^;()]{0,24}?\bper share|per share par value", re.IGNORECASE)
_CURRENCIES = (
    (re.compile(r"A\$|\bAUD\b|australian dollars?", re.I), "AUD"),
    (re.compile(r"€|\bEUR\b|euros?", re.I), "EUR"),
    (re.compile(r"£|\bGBP\b|pounds? sterling", re.I), "GBP"),
    (re.compile(r"\$|\bUSD\b|dollars?", re.I), "USD"),
)
# A centred line above a header that names the company, not a column.
_COMPANY = re.compile(
    r"\b(subsidiaries|inc\.?|incorporated|corporation|company|companies|ltd|plc|annual report)\b",
    re.IGNORECASE,
)
# Header phrases: words closer than this (fraction of the page width, ~6 pt on a letter
# page) are one phrase; a column gap is wider.
_PHRASE_GAP = 0.01
# Two labels whose left edges are this close (~3 pt) are at the same indentation.
_INDENT_TOLERANCE = 0.005
# A table ends after this many lines in a row without figures (a footnote, the next section).
_MAX_GAP_LINES = 4
_PROSE_CHARS = 100
# A label line that stops on a connective or a comma goes on on the next line.
_WRAPS = re.compile(
    r"(?:,|(?<!/)\b(?:a|an|and|as|at|by|for|from|in|including|of|on|or|the|to|under|with))$",
    re.IGNORECASE,
)
# A label-only line that refers to the notes, or holds figures (a row not read as one: "NA",
# dashes, digits), is not a section over the flush rows below it.
_CAPTION = re.compile(
    r"\d|(?:^|\s)(?:[\u2014\u2013-]+|n/?a|nm)(?=\s|$)|\bcommitments and contingencies\b",
    re.IGNORECASE,
)
# A flush section's heading is at most this long unless it ends in a colon.
_FLUSH_CHARS = 50
# A title or a unit line is looked for this many lines above the header.
_LOOK_ABOVE = 8


@dataclass(frozen=True)
class Column:
    """A column of figures: its header as printed and the period it stands for."""

    header: str  # "2023", "December 31, 2022", "Three Months Ended June 30, 2023", "% change"
    period: str  # "FY2023", "Q2 2023", "December 31, 2022", "3 months ended June 30, 2023", ""
    fiscal_year: int | None = None
    period_end: date | None = None
    months: int | None = None

    def as_json(self) -> dict:
        return {
            "header": self.header,
            "period": self.period,
            "fiscal_year": self.fiscal_year,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "months": self.months,
        }


@dataclass
class Cell:
    row: int
    column: int
    label_path: tuple[str, ...]
    raw: str  # the figure as printed, "(312.5)", "17.9%", "—"
    value: Decimal | None  # scale applied, sign from parentheses or a minus; None for nil
    unit: str  # "USD", "USD/share", "%", "shares", "" (not stated)
    page: int
    line: int  # index of the row's line in the page text
    box: Box


@dataclass
class ExtractedTable:
    page_start: int
    page_end: int
    title: str
    statement: str  # chunking.STATEMENTS kind, or "" for other tables
    columns: list[Column]
    unit: str  # currency of the table ("USD"), "" when not stated
    scale: int  # 1, 1_000, 1_000_000, 1_000_000_000
    unit_text: str  # as printed: "in millions, except per share data"
    cells: list[Cell] = field(default_factory=list)
    boxes: dict[int, Box] = field(default_factory=dict)  # page -> box around the table
    rows: int = 0


# --- one page ----------------------------------------------------------------------------


@dataclass
class _Line:
    index: int
    text: str  # without the heading mark
    box: Box
    label: str = ""
    values: list[tuple[str, Box]] = field(default_factory=list)  # (raw, box), left to right
    phrases: list[tuple[str, Box]] = field(default_factory=list)  # header phrases
    is_header: bool = False
    heading: bool = False  # marked by the parser ("## ": larger or bold type)


def _figure(word: str) -> bool:
    return word in _NIL or bool(_VALUE.match(word))


def _year_of(word: str) -> int | None:
    match = _YEAR.match(word)
    if match is None:
        quarter = _QUARTER_YEAR.match(word)
        if quarter:
            return 2000 + int(quarter[2])
        numeric = _NUMERIC_DATE.fullmatch(word.rstrip(",)").lstrip("("))
        return int(numeric[3]) if numeric else None
    return int(match["year"]) if match["year"] else 2000 + int(match["short"])


def _merge_closers(words: list[tuple[str, Box]]) -> list[tuple[str, Box]]:
    """EDGAR tables print "$" and a negative's ")" (or "%") in cells of their own."""
    out: list[tuple[str, Box]] = []
    for word, box in words:
        if word == "$":
            continue
        if word in (")", "%", ")%", "%)") and out:
            previous, previous_box = out[-1]
            out[-1] = (previous + word, _union(previous_box, box))
            continue
        out.append(
            (word.removeprefix("$") if word.startswith("$") and len(word) > 1 else word, box)
        )
    return out


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _phrases(words: list[tuple[str, Box]]) -> list[tuple[str, Box]]:
    """Words grouped into phrases by the gaps between them (a column gap is wide)."""
    phrases: list[tuple[list[str], Box]] = []
    for word, box in words:
        # A year ends a phrase: "December 31, 2023" then the next column's header.
        if (
            phrases
            and box[0] - phrases[-1][1][2] < _PHRASE_GAP
            and not _year_of(phrases[-1][0][-1])
        ):
            phrases[-1][0].append(word)
            phrases[-1] = (phrases[-1][0], _union(phrases[-1][1], box))
        else:
            phrases.append(([word], box))
    return [(" ".join(parts), box) for parts, box in phrases]


def _read_line(index: int, text: str, box: Box, words, frame) -> _Line:
    heading = text.startswith(HEADING_MARK)
    text = text.removeprefix(HEADING_MARK).strip()
    line = _Line(index=index, text=text, box=tuple(box), heading=heading)
    if not words:
        return line
    # Boxes are framed (parsing.ParsedPage.frame) only for the words a table uses.
    unframed = [(word, raw_box) for word, raw_box in words if word != "$"]
    merged = _merge_closers(unframed)
    tail = len(merged)
    while tail and _figure(merged[tail - 1][0]):
        tail -= 1
    figures = merged[tail:]
    if figures and all(_year_of(word) or _FOOTNOTE.match(word) for word, _ in figures):
        # "2023 2022 2021": a header of years, not a row of figures.
        figures = []
    elif len(figures) == 1 and _MONTH_DAY.search(text[-14:]):
        figures = []  # "Years ended December 31": a date, not a figure
    if figures:
        all_words = text.split()
        cut = len(all_words)
        taken = 0
        while cut and taken < len(figures):
            word = all_words[cut - 1]
            cut -= 1
            if word != "$":
                taken += word not in (")", "%", ")%", "%)")
        line.label = " ".join(word for word in all_words[:cut] if word != "$").rstrip(" :")
        line.values = figures  # in PDF user space until a table takes the row (_build)
        return line
    if (
        len(text) <= _PROSE_CHARS
        and len(text.split()) <= 14
        and not text.endswith(".")
        and (
            any(_year_of(word) for word, _ in unframed)
            or _HEADER_WORDS.search(text)
            or _MONTH_DAY.search(text)
            or _UNIT_LINE.search(text)
        )
    ):
        line.is_header = True
        framed = [(word, frame(raw_box)) for word, raw_box in unframed]
        words_in_text = text.split()
        if framed and len(framed) < len(words_in_text):
            # Only the line's last words have boxes ("Years ended December 31": "31"); the
            # words before them start at the line's left edge.
            first = framed[0][1]
            lead = " ".join(words_in_text[: len(words_in_text) - len(framed)])
            framed = [(lead, (line.box[0], first[1], first[0] - 0.001, first[3])), *framed]
        line.phrases = _phrases(framed)
    return line


def _is_unit_line(text: str) -> bool:
    """ "(In millions, except per share amounts)", "In thousands": a table's unit, alone."""
    return bool(_UNIT_LINE.search(text)) and len(text) <= 80 and not _year_of(text.split()[-1])


def _is_row(line: _Line) -> bool:
    return bool(line.values)


def page_tables(
    *, number: int, text: str, boxes, words, frame, skip: frozenset[str] = frozenset()
) -> list[ExtractedTable]:
    """The tables of one parsed page (parsing.ParsedPage's fields); `skip` holds the
    document's running header/footer keys (parsing.find_boilerplate), never a title."""
    raw_lines = text.split("\n")
    if not words or len(words) != len(raw_lines) or not any(words):
        return []
    lines = [
        _read_line(i, raw, box, line_words, frame)
        for i, (raw, box, line_words) in enumerate(zip(raw_lines, boxes, words, strict=True))
    ]
    page_kind, _ = statement_of(raw_lines)
    tables: list[ExtractedTable] = []
    i = 0
    while i < len(lines):
        first_row = _next_row(lines, i)
        if first_row is None:
            break
        # Where the figures start: the first few rows' leftmost figure (one row's may be a
        # figure its label swallowed).
        figures_left = min(
            frame(line.values[0][1])[0] for line in lines[first_row : first_row + 6] if line.values
        )
        header_lines = _header_above(lines, first_row, floor=i, figures_left=figures_left)
        if not header_lines:
            i = first_row + 1
            continue
        end = _table_end(lines, first_row)
        # Section lines between the header and the first row ("Revenue:") belong to the body.
        body = [line for line in lines[header_lines[-1].index + 1 : end] if line.text]
        for line in body:
            if line.values:
                line.values = [(word, frame(raw_box)) for word, raw_box in line.values]
        table = _build(
            number=number,
            lines=lines,
            raw_lines=raw_lines,
            header_lines=header_lines,
            body=body,
            skip=skip,
            page_kind=page_kind if not tables else "",
        )
        if table is not None:
            tables.append(table)
        i = end
    return tables


def _next_row(lines: list[_Line], start: int) -> int | None:
    for index in range(start, len(lines)):
        if _is_row(lines[index]):
            return index
    return None


def _header_above(
    lines: list[_Line], first_row: int, *, floor: int, figures_left: float
) -> list[_Line]:
    """The column header lines above a table's first row (at most two section lines, such
    as "Revenue:", between them): period lines ("2023 2022", "December 31,", "Three Months
    Ended") and short lines centred over the figures ("Years Ended"; a title centred on the
    page, left of the figures, is not one)."""
    out: list[_Line] = []
    index = first_row - 1
    sections = 0
    while index >= floor and first_row - index <= 7:
        line = lines[index]
        if line.values:
            break
        if _UNIT_LINE.search(line.text) and not any(map(_year_of, line.text.split())):
            pass  # "(In thousands, except per share data)": read for the units, not a header
        elif line.heading and not line.is_header and out:
            break  # the title above the header
        elif line.is_header or (
            out
            and line.text
            and line.box[0] > 0.3
            and not _page_title(line.box, figures_left)
            and len(line.text) <= 60
            and not _UNIT_LINE.search(line.text)
            and not _COMPANY.search(line.text)
            and not statement_of([line.text])[0]
        ):
            out.insert(0, line)
        elif out or sections >= 2 or not line.text or len(line.text) > _PROSE_CHARS:
            break
        else:
            sections += 1
        index -= 1
    return out if any(p for line in out for p in line.phrases) else []


def _page_title(box: Box, figures_left: float) -> bool:
    """A line centred on the page whose middle is left of the figures: a second title
    ("SEGMENT RESULTS OF OPERATIONS"), not a caption over the columns."""
    middle = (box[0] + box[2]) / 2
    return abs(middle - 0.5) < 0.03 and middle < figures_left


def _table_end(lines: list[_Line], first_row: int) -> int:
    """The index after a table's last row: the table runs while rows follow each other,
    with at most a few label-only lines (sections, wrapped labels) between them."""
    last_row = first_row
    gap = 0
    for index in range(first_row + 1, len(lines)):
        line = lines[index]
        if _is_row(line):
            last_row, gap = index, 0
            continue
        if line.is_header and _next_row(lines, index) == index + 1:
            break  # the next table's header
        if line.is_header and any(_year_of(w) for w, _ in line.phrases):
            break
        gap += 1
        if gap > _MAX_GAP_LINES or _is_sentence(line.text):
            break
        if len(line.text) > _PROSE_CHARS and not (
            index + 1 < len(lines)
            and lines[index + 1].values
            and (_continues(lines[index + 1]) or _wraps(line.text))
        ):
            break
    return last_row + 1


def _is_sentence(text: str) -> bool:
    """A footnote or a paragraph ("The accompanying notes are an integral part …")."""
    return text.endswith(".") and len(text.split()) > 6


def _continues(line: _Line) -> bool:
    """A row whose label is the end of the line above's: it starts in lower case or with a
    dollar figure ("liabilities 1,326 24", "$126,435 at fair value) 222,719")."""
    return not line.label or line.label[:1].islower() or line.label.startswith("$")


def _wraps(text: str) -> bool:
    """A label line of a few words that stops on a connective or a comma, so goes on on the
    next line ("… 1,192,093,991 shares issued at")."""
    return len(text.split()) >= 3 and bool(_WRAPS.search(text))


def _columns_from(body: list[_Line]) -> list[tuple[float, float]]:
    """The x-ranges the figures occupy: overlapping figure boxes are one column, if figures
    of at least two rows are in it (a figure inside a label, "allowances of $95", is not)."""
    spans = sorted((box[0], box[2], line.index) for line in body for _, box in line.values)
    columns: list[list] = []
    for left, right, row in spans:
        if columns and left <= columns[-1][1] + 0.002:
            columns[-1][1] = max(columns[-1][1], right)
            columns[-1][2].add(row)
        else:
            columns.append([left, right, {row}])
    rows = len({line.index for line in body})
    least = 1 if rows == 1 else max(2, round(rows * 0.15))
    return [(left, right) for left, right, cells in columns if len(cells) >= least]


def _in_columns(box: Box, columns: list[tuple[float, float]]) -> bool:
    middle = (box[0] + box[2]) / 2
    return columns[0][0] - 0.01 <= middle


def _column_of(box: Box, columns: list[tuple[float, float]]) -> int:
    middle = (box[0] + box[2]) / 2
    for index, (left, right) in enumerate(columns):
        if left - 0.002 <= middle <= right + 0.002:
            return index
    return min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - middle))


def _build(
    *,
    number: int,
    lines: list[_Line],
    raw_lines: list[str],
    header_lines: list[_Line],
    body: list[_Line],
    skip: frozenset[str],
    page_kind: str,
) -> ExtractedTable | None:
    rows = [line for line in body if line.values]
    if not rows:
        return None
    spans = _columns_from(rows)
    if not spans:
        return None
    left_of_figures = spans[0][0] - 0.005
    label_edge = min(line.box[0] for line in body)
    headers: list[list[str]] = [[] for _ in spans]
    stub: list[str] = []
    for line in header_lines:
        phrases = line.phrases or [(line.text, line.box)]

        def is_stub(box: Box) -> bool:
            # Above the labels ("(in millions)", "Years ended December 31"), not the figures.
            return box[2] < (label_edge + left_of_figures) / 2 or (
                box[0] < label_edge + 0.05 and box[0] < left_of_figures - 0.02
            )

        over_figures = [p for p in phrases if not is_stub(p[1])]
        for phrase, box in phrases:
            if is_stub(box):
                stub.append(phrase)
                continue
            if len(over_figures) == 1 and len(spans) > 1 and not _year_of(phrase.split()[-1]):
                # One caption over the figures ("Years Ended", "YEAR ENDED MAY 31,"): all.
                for parts in headers:
                    parts.append(phrase)
                continue
            over = [
                index
                for index, (left, right) in enumerate(spans)
                if box[0] <= (left + right) / 2 + 0.01 and box[2] >= (left + right) / 2 - 0.01
            ]
            if not over:
                over = [_column_of(box, spans)]
            for index in over:
                headers[index].append(phrase)
    caption = " ".join(
        line.text for line in header_lines if not line.phrases and line.box[2] < left_of_figures
    )
    title, context = _title(lines, header_lines[0].index, skip)
    stub_text = " ".join(stub)
    # The unit line may sit anywhere from the title to the header's last line, or between the
    # header and the first row ("(In millions, except per share amounts)"): not a section.
    between = [line.text for line in lines[header_lines[0].index : header_lines[-1].index + 1]]
    below = [line for line in body if line.index < rows[0].index and _is_unit_line(line.text)]
    body = [line for line in body if line not in below]
    unit_source = " ".join([stub_text, *context, *between, *(line.text for line in below)])
    unit_text, currency, scale = _units(unit_source)
    if not currency and any(
        "$" in line.text for line in rows
    ):  # "$ 6,054.8" on a row: dollars even without a unit line
        currency = "USD"
    period_words = " ".join([caption, *context, stub_text])
    stub_years = {year for year in map(_year_of, period_words.split()) if year}
    default_year = stub_years.pop() if len(stub_years) == 1 else None
    columns = [_column(" ".join(parts), period_words, default_year) for parts in headers]
    if not any(column.header for column in columns):
        return None
    if len(rows) < 2 and sum(column.fiscal_year is not None for column in columns) < 2:
        return None  # one row is a table only under a header of periods (a continuation)
    statement = page_kind or statement_of([title])[0]
    table = ExtractedTable(
        page_start=number,
        page_end=number,
        title=title,
        statement=statement,
        columns=columns,
        unit=currency,
        scale=scale,
        unit_text=unit_text,
        boxes={number: _union_all([line.box for line in [*header_lines, *body]])},
    )
    _add_rows(table, body, spans, number=number, hierarchy=[])
    # A "Note" column holds references to the notes, not figures.
    kept = [i for i, column in enumerate(columns) if column.header.lower() not in ("note", "notes")]
    if len(kept) < len(columns):
        where = {old: new for new, old in enumerate(kept)}
        table.columns = [columns[i] for i in kept]
        table.cells = [cell for cell in table.cells if cell.column in where]
        for cell in table.cells:
            cell.column = where[cell.column]
    return table if table.cells else None


def _union_all(boxes: list[Box]) -> Box:
    out = boxes[0]
    for box in boxes[1:]:
        out = _union(out, box)
    return tuple(round(v, 4) for v in out)


def _title(lines: list[_Line], header_index: int, skip: frozenset[str]):
    """(title, the lines between it and the header): the nearest heading
    above the header (a few paragraphs up at most), else the short line just above it that
    is not a unit, period, company or running header line."""
    context: list[str] = []
    fallback = ""
    for index in range(header_index - 1, max(-1, header_index - _LOOK_ABOVE * 4 - 1), -1):
        line = lines[index]
        text = line.text
        if line.values:
            break
        if not text or boilerplate_key(text) in skip:
            continue
        if len(text) > _PROSE_CHARS or text.endswith("."):
            fallback = fallback or "-"
            continue
        lowered = text.lower()
        if not fallback:
            context.insert(0, text)
        if (
            (_UNIT_LINE.search(text) and (text.startswith("(") or " in " in f" {lowered}"))
            or re.match(r"^(for the )?(years?|three|six|nine|twelve|quarters?|at|as of)\b", lowered)
            or "subsidiaries" in lowered
            or lowered in ("table of contents", "(unaudited)")
            or text.isdigit()
        ):
            continue
        if line.heading or heading_of(text) or statement_of([text])[0]:
            return text[:300], context
        if not fallback:
            fallback = text
    return ("" if fallback == "-" else fallback)[:300], context


_UNIT_PHRASE = re.compile(
    r"(?:\b(?:in|of)\s+)?(?:[A-Z]{0,2}\$|US\$|€|£|\bdollars\s+in\s+|\b(?:USD|AUD|EUR|GBP)\s+)?\s*"
    r"\b(?:thousands?|millions?|billions?)\b(?:\s+of\s+\w+)?(?:,?\s+except\s[^.;()]*)?",
    re.IGNORECASE,
)


def _units(text: str) -> tuple[str, str, int]:
    """(unit text as printed, currency, scale) from the lines about a table."""
    match = re.search(r"\(([^()]*\b(?:thousands?|millions?|billions?)\b[^()]*)\)", text, re.I)
    found = match[1] if match else ""
    if not found:
        plain = _UNIT_PHRASE.search(text)
        found = plain[0].strip() if plain else ""
    scale_word = _UNIT_LINE.search(found)
    scale = _SCALE_WORDS[scale_word[1].lower()] if scale_word else 1
    currency = next((code for pattern, code in _CURRENCIES if pattern.search(found)), "")
    return found[:200], currency, scale


def _column(header: str, context: str, default_year: int | None = None) -> Column:
    """A column's period from its header and the table's caption ("Years ended December
    31"); a column headed by a measure ("Revenue") under a table-wide year gets that year."""
    header = " ".join(header.split()).rstrip(",")
    words = header.split()
    years = [year for year in map(_year_of, words) if year]
    if not years:
        if default_year and header:
            return Column(header=header, period=f"FY{default_year}", fiscal_year=default_year)
        quarter = re.fullmatch(r"Q([1-4])", header, re.I)
        return Column(header=header, period=f"Q{quarter[1]}" if quarter else "")
    year = years[-1]
    text = f"{context} {header}".lower()
    months = None
    for pattern, count in (
        (r"three months|quarter|13 weeks|12 weeks|\bq[1-4]\b|[1-4]q\b", 3),
        (r"six months|26 weeks|24 weeks|half", 6),
        (r"nine months|39 weeks|36 weeks", 9),
        (r"twelve months|years? ended|fiscal|52 weeks|53 weeks|\bfy", 12),
    ):
        if re.search(pattern, header.lower()) or (
            not re.search(r"months|weeks|quarter", header.lower()) and re.search(pattern, text)
        ):
            months = count
            break
    period_end = _date_in(header, year) or _date_in(context, year)
    quarter = re.search(r"\bQ([1-4])\b|\b([1-4])Q(\d{2})?\b", header, re.I)
    if quarter:
        period = f"Q{quarter[1] or quarter[2]} {year}"
        months = 3
    elif months in (3, 6, 9) and period_end:
        period = f"{months} months ended {_long_date(period_end)}"
    elif months == 12 or (
        period_end is None and re.fullmatch(r"(fy|fiscal)?\s*'?\d{2,4}", header.lower())
    ):
        period = f"FY{year}"
        months = 12
    elif period_end:
        period = _long_date(period_end)
    else:
        period = header
    return Column(
        header=header, period=period, fiscal_year=year, period_end=period_end, months=months
    )


def _date_in(text: str, year: int) -> date | None:
    match = _MONTH_THEN_DAY.search(text)
    if match is None:
        numeric = next(
            (found for found in _NUMERIC_DATE.finditer(text) if int(found[3]) == year), None
        )
        if numeric is not None:
            month, day = int(numeric[1]), int(numeric[2])
            month, day = (day, month) if month > 12 else (month, day)
            try:
                return date(year, month, day)
            except ValueError:
                return None
        match = _DAY_MONTH.search(text)
        if match is None:
            return None
        day, month = int(match[1]), _MONTHS[match[2].lower()]
    else:
        month, day = _MONTHS[match[1].lower()], int(match[2])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _long_date(value: date) -> str:
    return f"{calendar.month_name[value.month]} {value.day}, {value.year}"


@dataclass
class _Section:
    left: float  # the label's left edge
    label: str
    # Printed at the indentation of the rows it heads ("Revenue" over flush segment rows),
    # so a row at that indentation stays under it (see _add_rows).
    flush: bool = False


def _add_rows(
    table: ExtractedTable,
    body: list[_Line],
    spans: list[tuple[float, float]],
    *,
    number: int,
    hierarchy: list[_Section],
) -> None:
    """Cells of the table's rows on one page; `hierarchy` holds the open sections.

    A row nests under the sections left of its label, and closes those at its indentation,
    except a flush section: a label-only line directly above rows at its own indentation
    ("Net loss per share" over "Basic", "Diluted"). That one heads the rows at its
    indentation until a label-only line or a row further left, a "Total" row at its
    indentation (the total closes what it sums), or a wider gap than the table's rows leave
    between them."""
    pending: _Line | None = None  # a label-only line that may be a section or a wrapped label
    usual_gap = _usual_gap(body)
    previous: _Line | None = None
    for line in body:
        after_row = previous is not None and bool(previous.values)
        gap = line.box[1] - previous.box[3] if previous is not None else 0.0
        previous = line
        if not line.values:
            if pending is not None and (
                line.text[:1].islower() or (_wraps(pending.text) and _in_labels(pending, spans))
            ):
                pending = _Line(
                    index=pending.index, text=f"{pending.text} {line.text}", box=pending.box
                )
                continue
            if pending is not None:
                _open_section(hierarchy, pending)
            pending = line
            continue
        label, left = line.label, line.box[0]
        values = line.values
        while values and not _in_columns(values[0][1], spans):
            # A figure left of the table's columns belongs to the label ("$95 and $103").
            label = f"{label} {values[0][0]}".strip()
            values = values[1:]
        if not values:
            if pending is not None:
                _open_section(hierarchy, pending)
            pending = _Line(index=line.index, text=label, box=line.box)
            continue
        if (
            pending is not None
            and (_continues(line) or (_wraps(pending.text) and _in_labels(pending, spans)))
            and not _is_sentence(pending.text)
        ):
            label = f"{pending.text} {label}".strip()
            left = pending.box[0]
            pending = None
        elif pending is not None:
            flush = (
                abs(pending.box[0] - left) <= _INDENT_TOLERANCE
                and _in_labels(pending, spans)
                and _heading_like(pending.text)
            )
            _open_section(hierarchy, pending, flush=flush)
            pending = None
        spaced = after_row and gap > max(1.6 * usual_gap, 0.5 * (line.box[3] - line.box[1]))
        while hierarchy and hierarchy[-1].left >= left - _INDENT_TOLERANCE:
            if _heads(hierarchy[-1], left) and not spaced:
                break
            hierarchy.pop()
        label = _clean_label(label)
        path = (*[section.label for section in hierarchy], label)
        if hierarchy and _heads(hierarchy[-1], left) and label.lower().startswith("total"):
            hierarchy.pop()
        table.rows += 1
        row = table.rows - 1
        values = values[-len(spans) :] if len(values) > len(spans) else values
        taken: dict[int, Cell] = {}
        for raw, box in values:
            column = _column_of(box, spans)
            value, unit = _value(
                raw, path, table, year_column=not table.columns[column].fiscal_year
            )
            taken[column] = Cell(
                row=row,
                column=column,
                label_path=path,
                raw=raw,
                value=value,
                unit=unit,
                page=number,
                line=line.index,
                box=tuple(round(v, 4) for v in (box[0], line.box[1], box[2], line.box[3])),
            )
        table.cells.extend(taken[column] for column in sorted(taken))


def _heading_like(text: str) -> bool:
    """A label-only line that can head flush rows: short or ending in a colon (a long one is
    the first line of a wrapped label), and not a caption or a row with figures."""
    return (len(text) <= _FLUSH_CHARS or text.endswith(":")) and not _CAPTION.search(text)


def _in_labels(line: _Line, spans: list[tuple[float, float]]) -> bool:
    """A line that ends left of the figure columns: a label, not a line of column titles."""
    return line.box[2] <= spans[0][0] + 0.005


def _heads(section: _Section, left: float) -> bool:
    """A flush section over a row at its own indentation."""
    return section.flush and abs(section.left - left) <= _INDENT_TOLERANCE


def _usual_gap(body: list[_Line]) -> float:
    """The median vertical gap between a table's consecutive lines (page fractions)."""
    gaps = sorted(
        below.box[1] - above.box[3]
        for above, below in itertools.pairwise(body)
        if below.box[1] > above.box[3]
    )
    return gaps[len(gaps) // 2] if gaps else 0.0


def _open_section(hierarchy: list[_Section], line: _Line, *, flush: bool = False) -> None:
    left = line.box[0]
    while hierarchy and hierarchy[-1].left >= left - _INDENT_TOLERANCE:
        hierarchy.pop()
    label = _clean_label(line.text)
    if label and len(label) <= _PROSE_CHARS:
        hierarchy.append(_Section(left, label, flush))


def _clean_label(label: str) -> str:
    return " ".join(label.split()).rstrip(" :")[:300]


def _value(
    raw: str, label_path: tuple[str, ...], table: ExtractedTable, *, year_column: bool = False
) -> tuple[Decimal | None, str]:
    """The figure's value with the table's scale applied, and its unit."""
    match = _VALUE.match(raw)
    if match is None:
        return None, ""
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:
        return None, ""
    if (match["open"] and (match["close"] or match["close2"])) or match["minus"]:
        number = -number
    if match["percent"]:
        return number, "%"
    measure = _share_measure(label_path)
    if measure == "per share":
        return number, f"{table.unit}/share" if table.unit else "per share"
    if year_column and _year_of(raw) and "." not in raw:
        return number, "year"  # "Maturity 2031" in a column that is not a period
    return number * table.scale, "shares" if measure == "shares" else table.unit


def _share_measure(label_path: tuple[str, ...]) -> str:
    """ "per share", "shares" or "": what the row's label says it counts, else the nearest
    section that says it ("Diluted" under "Earnings per share:"). A share count wins over "per
    share" ("Shares used in per share calculation"); a par value per share is neither
    ("Common stock, $1 par value per share" is an amount), and so is a section that states
    the unit or is an EPS numerator or denominator."""
    for depth, text in enumerate(reversed(label_path)):
        text = _PAR_VALUE.sub("", text)
        if depth and _NOT_A_MEASURE.search(text):
            continue  # "(In millions, except per share data)", "Numerator for EPS calculation"
        if _SHARES.search(text):
            return "shares"
        if _PER_SHARE.search(text):
            return "per share"
    return ""


# --- the document ------------------------------------------------------------------------


def document_tables(pages, *, boilerplate=()) -> list[ExtractedTable]:
    """Every table of the parsed pages (parsing.ParsedPage), a table continued on the next
    page under the same column headers joined into one."""
    skip = frozenset(boilerplate)
    tables: list[ExtractedTable] = []
    pages = list(pages)
    for page in pages:
        if not page.words or page.frame is None:
            continue
        found = page_tables(
            number=page.number,
            text=page.text,
            boxes=page.boxes,
            words=page.words,
            frame=page.frame,
            skip=skip,
        )
        if found and tables and _continued(tables[-1], found[0], page.number):
            _join(tables[-1], found.pop(0))
        tables.extend(found)
    currency = _document_currency(tables, pages)
    for table in tables:
        if not table.unit and currency:
            table.unit = currency
            for cell in table.cells:
                if cell.unit in ("", "per share"):
                    cell.unit = f"{currency}/share" if cell.unit else currency
    return tables


def _document_currency(tables: list[ExtractedTable], pages) -> str:
    """The currency of tables that state none: the one other tables state, else the one
    the text prints most ("A$", "$", "€", "£")."""
    stated = [table.unit for table in tables if table.unit]
    if stated:
        return max(set(stated), key=stated.count)
    counts = {"AUD": 0, "USD": 0, "EUR": 0, "GBP": 0}
    for page in pages:
        text = page.text
        aud = text.count("A$")
        counts["AUD"] += aud
        counts["USD"] += len(re.findall(r"\$\s?\d", text)) - aud
        counts["EUR"] += text.count("€")
        counts["GBP"] += text.count("£")
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] > 0 else ""


def _continued(previous: ExtractedTable, table: ExtractedTable, page: int) -> bool:
    if previous.page_end != page - 1:
        return False
    if [c.header for c in previous.columns] != [c.header for c in table.columns]:
        return False
    title = table.title.lower()
    return (
        not table.title
        or table.title == previous.title
        or "continued" in title
        or (table.statement and table.statement == previous.statement)
    )


def _join(table: ExtractedTable, continuation: ExtractedTable) -> None:
    offset = table.rows
    # The unit line is printed once, above the table's first page.
    rescale = not continuation.unit_text and continuation.scale != table.scale
    for cell in continuation.cells:
        cell.row += offset
        if rescale and cell.value is not None and cell.unit in ("", continuation.unit, "shares"):
            cell.value = cell.value * table.scale / continuation.scale
        if cell.unit in ("", continuation.unit) and table.unit:
            cell.unit = table.unit
        table.cells.append(cell)
    table.rows += continuation.rows
    table.page_end = continuation.page_end
    table.boxes.update(continuation.boxes)
    if not table.unit_text and continuation.unit_text:
        table.unit, table.scale, table.unit_text = (
            continuation.unit,
            continuation.scale,
            continuation.unit_text,
        )


# --- tables as text ----------------------------------------------------------------------

# Between a row's sections and its label (U+203A): "Net revenues \u203a Cloud Services".
PATH_SEPARATOR = " \u203a "
_SCALE_NAMES = {1_000: "thousands", 1_000_000: "millions", 1_000_000_000: "billions"}


def unit_label(unit: str, scale: int) -> str:
    """ "USD millions", "USD per share", "%", "" — how a row's figures are read."""
    if unit == "%":
        return ""
    if unit.endswith("/share"):
        return f"{unit.removesuffix('/share')} per share"
    if unit == "per share":
        return "per share"
    if unit == "shares":
        return f"shares, {_SCALE_NAMES[scale]}" if scale in _SCALE_NAMES else "shares"
    return " ".join(part for part in (unit, _SCALE_NAMES.get(scale, "")) if part)


def row_text(label_path, cells: list[tuple[str, str]], units: str) -> str:
    """One row read with its headers: "Total net revenues — 2023: 6,054.8; 2022: 5,554.9
    (USD millions)". `cells` is (column header, raw figure) in column order."""
    figures = "; ".join(f"{header}: {raw}" if header else raw for header, raw in cells)
    label = PATH_SEPARATOR.join(part for part in label_path if part) or "(no label)"
    return f"{label} — {figures}" + (f" ({units})" if units else "")


def rows_as_text(cells) -> dict[int, dict[int, str]]:
    """{page: {line: text}}: each table row read with its column headers and unit, from
    (table, row, label_path, header, raw, unit, page, line, scale) tuples in table, row and
    column order: what chunks carry in place of the row as printed."""
    rows: dict[tuple, list] = {}
    for table, row, *rest in cells:
        rows.setdefault((table, row), []).append(rest)
    out: dict[int, dict[int, str]] = {}
    for row_cells in rows.values():
        label_path, _, _, unit, page, line, scale = row_cells[-1]
        text = row_text(
            label_path,
            [(header, raw) for _, header, raw, *_ in row_cells],
            unit_label(unit, scale),
        )
        out.setdefault(page, {})[line] = text
    return out


def extracted_rows_as_text(tables: list[ExtractedTable]) -> dict[int, dict[int, str]]:
    """rows_as_text for tables just extracted (benchmarks; ingestion reads the stored cells)."""
    return rows_as_text(
        (
            index,
            cell.row,
            list(cell.label_path),
            table.columns[cell.column].header,
            cell.raw,
            cell.unit,
            cell.page,
            cell.line,
            table.scale,
        )
        for index, table in enumerate(tables)
        for cell in sorted(table.cells, key=lambda cell: (cell.row, cell.column))
    )
