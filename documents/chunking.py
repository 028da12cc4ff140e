"""Split extracted pages into retrieval chunks that never cross a page boundary.

Each chunk is a run of whole lines (a table row is one line, so rows stay intact) of one
page, at most MAX_TOKENS long, with OVERLAP_TOKENS of the previous chunk repeated when a
page is split for size. A heading starts a new chunk. Running headers/footers (see
parsing.find_boilerplate) are dropped. Every chunk carries its context: the document title
and the nearest heading above it, carried over from earlier pages when a section continues.

Token counts are estimates: words, digit runs and punctuation marks each count as one
token, which tracks OpenAI's cl100k and Titan's tokenizers within about ±20 % on financial
text (numbers split like BPE does; long rare words are undercounted). Budgets leave room.
"""

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from documents.parsing import EDGE_LINES, HEADING_MARK, boilerplate_key

MAX_TOKENS = 220
OVERLAP_TOKENS = 40
MIN_TOKENS_BEFORE_HEADING = 40
_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")
_HEADING_PATTERN = re.compile(
    r"^(part\s+[ivx]+\b|item\s+\d+[a-z]?\.|note\s+\d+\b|\d{1,2}(\.\d{1,2})?\.?\s+[A-Z])",
    re.IGNORECASE,
)


# For estimate_tokens on ASCII text: each byte's kind in _TOKEN (1 letter, 2 digit, 0
# otherwise; a translate table, so 256 long), and the bytes that are not marks (letters,
# digits, whitespace).
_RUN_KINDS = bytes(1 if chr(i).isalpha() else 2 if chr(i).isdigit() else 0 for i in range(128))
_RUN_KINDS += bytes(128)
_NOT_MARKS = bytes(i for i in range(128) if chr(i).isalnum() or chr(i).isspace())


def estimate_tokens(text: str) -> int:
    """Approximate model tokens (see the module docstring): _TOKEN's matches in `text`."""
    if not text.isascii():
        return _TOKEN.subn("", text)[1]  # counts matches without building a list
    # The same count about 3.5 times faster (this runs for every line): byte i of `runs`
    # is the kind of character i; a letter or digit starts a token where the byte before
    # is not of its kind, and every mark is a token.
    data = text.encode("ascii")
    runs = int.from_bytes(data.translate(_RUN_KINDS), "little")
    return (runs & ~(runs << 8)).bit_count() + len(data.translate(None, _NOT_MARKS))


def heading_of(line: str) -> str | None:
    """The heading a line states: marked by the parser ("## ", larger or bold type), or a
    numbered heading (PART II, Item 7., Note 12, 2.1) or a short line in capitals."""
    if line.startswith(HEADING_MARK):
        return line.removeprefix(HEADING_MARK).strip()
    if len(line) > 92:
        return None
    stripped = line.strip()
    if not 3 <= len(stripped) <= 90 or "  " in stripped or not stripped[0].isalnum():
        return None
    if stripped[-1] in ",;:" or sum(ch.isdigit() for ch in stripped) > len(stripped) * 0.2:
        return None
    if _HEADING_PATTERN.match(stripped) and len(stripped.split()) <= 12:
        return stripped
    if re.search(r"\d[\d,.)%]*$", stripped):
        return None
    if stripped.isupper() and len(stripped.split()) <= 10:
        return stripped
    return None


# A contents entry: a title, optional dot leaders, then a page number (arabic or roman).
_CONTENTS_ENTRY = re.compile(
    r"^(?P<title>.*[A-Za-z].*?)[\s.·…_]*\s(?P<page>\d{1,4}|[ivxlc]{1,7})$", re.IGNORECASE
)
# A figure in a table row (1,482.3 / 2,940 / 12.5%): a row of values, not a contents entry.
_FIGURE = re.compile(r"\d,\d{3}|\d\.\d|\d%|\$\s*\d")
CONTENTS_MIN_ENTRIES = 5


def is_contents_listing(text: str) -> bool:
    """Whether text is a table of contents or an index: most lines are a title followed by a
    page number, and the page numbers ascend. Such pages repeat every section title (so they
    match a question's words) but hold no evidence."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    pages: list[int] = []
    entries = 0
    for line in lines:
        match = _CONTENTS_ENTRY.match(line.removeprefix(HEADING_MARK))
        if match is None or _FIGURE.search(line):
            continue
        entries += 1
        if match["page"].isdigit():
            pages.append(int(match["page"]))
    if entries < CONTENTS_MIN_ENTRIES or entries < 0.6 * len(lines) or len(pages) < 2:
        return False
    # Page numbers of a contents list never go back; a column of values does.
    ascending = sum(later >= earlier for earlier, later in itertools.pairwise(pages))
    return ascending >= 0.9 * (len(pages) - 1)


# A contents page is judged on its first characters (they are short pages; this bounds cost).
CONTENTS_PAGE_CHARS = 4000


def contents_pages(pages) -> set[int]:
    """The numbers of the pages (PageText) that are a table of contents or an index."""
    return {page.number for page in pages if is_contents_listing(page.text[:CONTENTS_PAGE_CHARS])}


@dataclass(frozen=True)
class PageText:
    number: int
    label: str
    text: str
    # One box per line of `text` (parsing.ParsedPage.boxes); empty when not known.
    boxes: tuple | list = ()
    # {line index: text}: table rows read with their column headers, which chunks carry in
    # place of the row as printed (services.table_rows_as_text).
    table_rows: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PlannedChunk:
    ordinal: int
    page_start: int
    page_end: int
    page_label: str
    heading: str
    context: str
    text: str
    token_count: int
    # {"page number": [box of each line of `text` on that page, in order]} (see plan_chunks).
    boxes: dict = field(default_factory=dict, compare=False)

    @property
    def embedding_input(self) -> str:
        return embedding_input(context=self.context, text=self.text)


def embedding_input(*, context: str, text: str) -> str:
    """What is embedded for a chunk; ingestion and provider migration must agree on it."""
    return f"{context}\n{text}" if context else text


def _context(title: str, heading: str, statement: str = "") -> str:
    parts = [part for part in (title.strip(), statement, heading.strip()) if part]
    return " / ".join(dict.fromkeys(parts))[:900]


# The primary financial statements, by the titles filings print above them. A question
# names the statement ("use the cash flow statement"), rarely the title's exact words.
STATEMENTS = (
    ("cash_flow", "Cash flow statement", r"statements?of(consolidated)?cashflows?"),
    (
        "comprehensive_income",
        "Statement of comprehensive income",
        r"statements?of(consolidated)?comprehensive(income|loss|earnings)",
    ),
    (
        "income",
        "Income statement (statement of operations, profit and loss)",
        r"statements?of(consolidated)?(income|operations|earnings)|incomestatements?",
    ),
    (
        "balance_sheet",
        "Balance sheet (statement of financial position)",
        r"balancesheets?|statements?of(consolidated)?financial(position|condition)",
    ),
    (
        "equity",
        "Statement of shareholders' equity",
        r"statements?of(changesin)?(consolidated)?(share|stock)?(holders|owners)?['\u2019]?equity",
    ),
)
_STATEMENT_PATTERNS = [(kind, label, re.compile(pattern)) for kind, label, pattern in STATEMENTS]
# A statement's title sits in the first lines of its page, on a short line of its own.
STATEMENT_TITLE_LINES = 12


def statement_of(lines: list[str]) -> tuple[str, str]:
    """(kind, label) of the primary statement a page holds, judged by a short title line
    among its first lines (notes and MD&A mention statements in running text), or ("", "").
    Spaces are ignored: extracted titles often split a word ("Balance Shee t")."""
    for line in lines[:STATEMENT_TITLE_LINES]:
        line = line.removeprefix(HEADING_MARK).strip()
        if len(line) > 90 or _FIGURE.search(line):
            continue
        squeezed = re.sub(r"\s+", "", line.lower())
        if "notesto" in squeezed:
            continue
        for kind, label, pattern in _STATEMENT_PATTERNS:
            if pattern.search(squeezed):
                return kind, label
    return "", ""


def plan_chunks(
    pages: Iterable[PageText],
    *,
    title: str,
    boilerplate: Iterable[str] = (),
    max_tokens: int = MAX_TOKENS,
    overlap_tokens: int = OVERLAP_TOKENS,
) -> list[PlannedChunk]:
    """The chunks of a document, deterministic for the same input (resumes rely on it).

    Each chunk's `boxes` has one box per line of its text (a line split for size repeats
    its box), on its page; none when the page's boxes are not known.
    """
    skip = set(boilerplate)
    chunks: list[PlannedChunk] = []
    heading = ""
    for page in pages:
        raw_lines = page.text.split("\n")
        boxes = page.boxes if len(page.boxes) == len(raw_lines) else [None] * len(raw_lines)
        rows = page.table_rows
        if rows:
            raw_lines = [rows.get(index, line) for index, line in enumerate(raw_lines)]
        lines = [
            (line.strip(), box) for line, box in zip(raw_lines, boxes, strict=True) if line.strip()
        ]
        table_lines = {rows[index] for index in rows} if rows else ()
        if skip:
            # Running headers and footers sit at the edges of the page (see find_boilerplate).
            edge = set(range(EDGE_LINES)) | set(range(len(lines) - EDGE_LINES, len(lines)))
            lines = [
                (line, box)
                for i, (line, box) in enumerate(lines)
                if i not in edge or boilerplate_key(line) not in skip
            ]
        current: list[tuple[str, int, list | None]] = []
        current_tokens = 0
        current_heading = heading
        _, statement = statement_of([line for line, _ in lines])

        def emit(
            lines_: list[tuple[str, int, list | None]],
            heading_: str,
            page_: PageText = page,
            statement_: str = statement,
        ) -> None:
            line_boxes = [list(box) for _, _, box in lines_ if box is not None]
            chunks.append(
                PlannedChunk(
                    ordinal=len(chunks),
                    page_start=page_.number,
                    page_end=page_.number,
                    page_label=page_.label or str(page_.number),
                    heading=heading_[:300],
                    context=_context(title, heading_, statement_),
                    text="\n".join(line for line, _, _ in lines_),
                    token_count=sum(count for _, count, _ in lines_),
                    boxes={str(page_.number): line_boxes} if len(line_boxes) == len(lines_) else {},
                )
            )

        for line, box in lines:
            found = None if line in table_lines else heading_of(line)
            if found:
                line = found
                if current_tokens >= MIN_TOKENS_BEFORE_HEADING:
                    emit(current, current_heading)
                    current, current_tokens = [], 0
                heading = found
                if not current:
                    current_heading = found
            for piece, piece_count in _split_long_line(line, estimate_tokens(line), max_tokens):
                if current and current_tokens + piece_count > max_tokens:
                    emit(current, current_heading)
                    current = _overlap(current, overlap_tokens)
                    current_tokens = sum(c for _, c, _ in current)
                    current_heading = heading
                current.append((piece, piece_count, box))
                current_tokens += piece_count
        if current:
            emit(current, current_heading)
    return chunks


def _overlap(lines: list[tuple[str, int, list | None]], budget: int) -> list:
    """The last whole lines of a chunk, up to budget tokens, to repeat in the next one."""
    carried: list[tuple[str, int, list | None]] = []
    for line, count, box in reversed(lines):
        if count > budget:
            break
        carried.insert(0, (line, count, box))
        budget -= count
    return carried


def _split_long_line(line: str, count: int, max_tokens: int) -> list[tuple[str, int]]:
    """A line longer than a chunk (text without line breaks) split at word boundaries."""
    if count <= max_tokens:
        return [(line, count)]
    pieces, words, budget = [], [], 0
    for word in line.split(" "):
        word_tokens = estimate_tokens(word)
        if words and budget + word_tokens > max_tokens // 2:
            pieces.append((" ".join(words), budget))
            words, budget = [], 0
        words.append(word)
        budget += word_tokens
    if words:
        pieces.append((" ".join(words), budget))
    return pieces
