"""Document metadata read from a filing's first pages: who filed it (company, ticker), what
it is (form type) and the period it covers (fiscal year, quarter, period end).

A pure function of the parsed page texts, so ingestion, the migration that fills existing
documents and `bench/metadata.py` read it the same way. SEC filings state all of it on the
cover page in set phrases ("FORM 10-K", "For the fiscal year ended December 31, 2018", the
registrant's name above "(Exact name of registrant as specified in its charter)"); earnings
releases in their headline ("Acme reports first quarter 2023 results"); other annual
reports on their cover ("Annual Report 2024", "For the year ended 30 June 2024"). What is not
found stays empty.
"""

import calendar
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.db import models

# The cover and what follows it: a glossy annual report may wrap a 10-K whose cover comes
# after a few pages of letters.
FIRST_PAGES = 5
# Of each page, enough for the longest cover page (a 10-K's is 4-7k characters).
PAGE_CHARS = 12_000


class FormType(models.TextChoices):
    FORM_10K = "10-K", "Form 10-K"
    FORM_10Q = "10-Q", "Form 10-Q"
    FORM_8K = "8-K", "Form 8-K"
    ANNUAL_REPORT = "annual_report", "Annual report"
    EARNINGS_RELEASE = "earnings_release", "Earnings release"
    OTHER = "other", "Other SEC form"
    # "" (blank): not known.


@dataclass(frozen=True)
class DocumentMetadata:
    company: str = ""
    ticker: str = ""
    form_type: str = ""
    fiscal_year: int | None = None
    fiscal_quarter: int | None = None
    period_end: date | None = None

    def as_fields(self) -> dict:
        """The Document fields these values go into."""
        return asdict(self)


def document_label(
    *, company: str, form_type: str, fiscal_year: int | None, fiscal_quarter: int | None
) -> str:
    """What a document is, in words a question uses: "Acme Corp 10-K FY2023", "Acme Corp
    10-Q Q2 FY2023"; "" when the company is not known. Each chunk's embedded context starts
    with it, so a passage says whose and which period's it is (PDF titles are often an
    EDGAR accession number)."""
    if not company:
        return ""
    form = FormType(form_type).label if form_type in FormType.values else ""
    if form_type in ("10-K", "10-Q", "8-K"):
        form = form_type
    period = ""
    if fiscal_year:
        period = f"Q{fiscal_quarter} FY{fiscal_year}" if fiscal_quarter else f"FY{fiscal_year}"
    return " ".join(part for part in (company, form, period) if part)


def chunk_title(document) -> str:
    """The title each chunk's context starts with: the document's label, else its title."""
    label = document_label(
        company=document.company,
        form_type=document.form_type,
        fiscal_year=document.fiscal_year,
        fiscal_quarter=document.fiscal_quarter,
    )
    return label or document.title


def metadata_from_pages(pages: Sequence[str]) -> DocumentMetadata:
    """Read company, ticker, form type and period from the first pages' texts (in order)."""
    pages = [_plain_lines(text[:PAGE_CHARS]) for text in pages[:FIRST_PAGES]]
    sec_form, cover = _sec_form(pages)
    if sec_form:
        form = sec_form
    elif _annual_report_title(pages):
        # Before the headline test: a chair's letter on the cover "reports record results".
        form = FormType.ANNUAL_REPORT
    elif _earnings_headline(pages):
        form = FormType.EARNINGS_RELEASE
    else:
        form = ""
    fiscal_year, quarter, period_end = _period(form, pages, cover)
    return DocumentMetadata(
        company=_company(form, pages, cover),
        ticker=_ticker(pages),
        form_type=str(form),
        fiscal_year=fiscal_year,
        fiscal_quarter=quarter,
        period_end=period_end,
    )


# --- text --------------------------------------------------------------------------------

_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})


def _plain_lines(text: str) -> list[str]:
    """A page's lines without heading marks, dashes unified, whitespace collapsed."""
    lines = []
    for line in text.translate(_DASHES).split("\n"):
        line = " ".join(line.split()).removeprefix("## ").strip()
        if line:
            lines.append(line)
    return lines


def _flat(lines: list[str]) -> str:
    return " ".join(lines)


# --- form type ---------------------------------------------------------------------------

# The form's name on a line of its own, as covers print it ("FORM 10-K", "___ FORM 10-Q").
_FORM_LINE = re.compile(
    r"^[\W_]*FORM\s+(10-?K(?:405|T)?|10-?Q(?:T)?|8-?K|20-?F|40-?F|6-?K|S-1|S-4|F-1|11-?K)"
    r"(?:/A)?[\W_]*$",
    re.IGNORECASE,
)
# The box the registrant ticks, when the form's name itself is an image.
_REPORT_PURSUANT = re.compile(
    r"\b(annual|quarterly|current)\s+report\s+pursuant\s+to\s+section\s+13\s+or\s+15\s*\(d\)",
    re.IGNORECASE,
)
_REPORT_FORMS = {
    "annual": FormType.FORM_10K,
    "quarterly": FormType.FORM_10Q,
    "current": FormType.FORM_8K,
}


def _sec_form(pages: list[list[str]]) -> tuple[str, int]:
    """The SEC form named on a cover page, and that page's index; ("", 0) if none."""
    for index, lines in enumerate(pages):
        for line in lines[:60]:
            match = _FORM_LINE.match(line)
            # "Form 10-K. ☒" ends a sentence of the cover's check boxes; the cover's own
            # line prints FORM in capitals.
            if match and line.lstrip("_ ").startswith("FORM"):
                return _form_from_name(match.group(1)), index
    for index, lines in enumerate(pages):
        match = _REPORT_PURSUANT.search(_flat(lines[:60]))
        if match:
            return _REPORT_FORMS[match.group(1).lower()], index
    return "", 0


def _form_from_name(name: str) -> str:
    name = name.upper().replace("-", "")
    if name.startswith("10K"):
        return FormType.FORM_10K
    if name.startswith("10Q"):
        return FormType.FORM_10Q
    if name == "8K":
        return FormType.FORM_8K
    return FormType.OTHER


_RESULTS_HEADLINE = re.compile(
    r"\b(?:reports?|reported|announces?|announced|posts?|delivers?)\b[^.]{0,80}?"
    r"\b(?:results|earnings)\b",
    re.IGNORECASE,
)


def _earnings_headline(pages: list[list[str]]) -> bool:
    """An earnings release says so in its first lines ("X Reports Second-Quarter 2024
    Results", "X today reported results for the first quarter")."""
    return bool(pages) and bool(_RESULTS_HEADLINE.search(_flat(pages[0][:25])))


_ANNUAL_TITLE = re.compile(
    r"^(?:(?P<before>(?:19|20)\d{2})(?:\s*[/-]\s*\d{2,4})?\s+)?"
    r"(?:annual|integrated)\s+report(?:\s+and\s+(?:accounts|financial\s+statements))?"
    r"(?:\s+(?P<after>(?:19|20)\d{2})(?:\s*[/-]\s*(?P<end>\d{2,4}))?)?$",
    re.IGNORECASE,
)


def _annual_report_title(pages: list[list[str]]) -> re.Match | None:
    """An "Annual Report 2024" (or "2023/24 Annual Report") line among the first lines."""
    for lines in pages[:2]:
        for line in lines[:15]:
            match = _ANNUAL_TITLE.match(_without_company_prefix(line))
            if match:
                return match
    return None


def _without_company_prefix(line: str) -> str:
    """ "Northwind Minerals Ltd Annual Report 2024" → "Annual Report 2024"."""
    found = re.search(r"\b(?:(?:19|20)\d{2}\s+)?(?:annual|integrated)\s+report\b", line, re.I)
    return line[found.start() :] if found else line


# --- period ------------------------------------------------------------------------------

_MONTH_NAMES = [name.lower() for name in calendar.month_name[1:]]
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    rf"(?:(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})\s*,?\s*(?P<y>(?:19|20)\d{{2}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\.?,?\s+(?P<y2>(?:19|20)\d{{2}}))"
)
# What may stand between a phrase and its date: a line break put "Commission file" there.
_GAP = r"[^\d]{0,40}?"
_YEAR_ENDED = re.compile(
    rf"\byear\s+ended\b\s*:?{_GAP}{_DATE}",
    re.IGNORECASE,
)
_QUARTER_ENDED = re.compile(
    rf"\bquarterly\s+period\s+ended\b\s*:?{_GAP}{_DATE}",
    re.IGNORECASE,
)
_REPORT_DATE = re.compile(
    rf"\bdate\s+of\s+report\b(?:\s*\(date\s+of\s+earliest\s+event\s+reported\))?\s*:?{_GAP}{_DATE}",
    re.IGNORECASE,
)
_RELEASE_PERIOD_ENDED = re.compile(
    rf"\b(?:quarter|three\s+months|(?:12|13|16|52|53)\s+weeks)\s+ended\s+{_DATE}",
    re.IGNORECASE,
)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_ORDINAL |= {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_Q = r"(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_FY = r"(?:(?:fiscal|fy)[\s-]*(?:year\s+)?)"
# A quarter with its year, as releases and 10-Qs name them: "Second-Quarter 2024",
# "first quarter of fiscal 2024", "fiscal 2024 second quarter", "Q3 2023", "Q1 FY24".
_NAMED_QUARTER = [
    re.compile(
        rf"\b{_Q}(?:\s+(?:and|&)\s+(?:full|fiscal)[\s-]*year)?\s+(?:of\s+)?{_FY}?{_YEAR}\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\b{_FY}?{_YEAR}\s+{_Q}\b", re.IGNORECASE),
    re.compile(r"\bq(?P<qn>[1-4])\s*(?:fy|fiscal\s+)?'?(?P<year>(?:19|20)?\d{2})\b", re.IGNORECASE),
]
_FULL_YEAR = re.compile(
    rf"\b(?:full[\s-]*year|fiscal(?:\s+year)?|fy)\s*'?{_YEAR}\s+(?:results|earnings)\b", re.I
)


def _date(match: re.Match) -> date | None:
    month = (match.group("m") or match.group("m2")).lower()
    day = int(match.group("d") or match.group("d2"))
    year = int(match.group("y") or match.group("y2"))
    number = next(n for n, name in enumerate(_MONTH_NAMES, start=1) if name.startswith(month[:3]))
    try:
        return date(year, number, day)
    except ValueError:
        return None


def _month_end(day: date) -> date:
    """The month a period ending on `day` closes: a 52/53-week period ends on a weekday near
    the month's end, so one ending in the first week (January 2, 2021) closes the month
    before (the fiscal year 2020)."""
    if day.day <= 7:
        return day.replace(day=1) - timedelta(days=1)
    return day


def fiscal_year_of(period_end: date) -> int:
    """The fiscal year a period end belongs to: the year it ends in (May 31, 2019 → 2019)."""
    return _month_end(period_end).year


def _period(form: str, pages: list[list[str]], cover: int):
    """(fiscal_year, fiscal_quarter, period_end) for the form, from its cover or headline."""
    if form in (FormType.FORM_10K, FormType.FORM_10Q, FormType.FORM_8K, FormType.OTHER):
        text = _flat(pages[cover] + (pages[cover + 1] if cover + 1 < len(pages) else []))
    else:
        text = _flat([line for lines in pages[:2] for line in lines])
    if form == FormType.FORM_8K:
        # The cover states no fiscal period: the year of the report date stands for it.
        match = _REPORT_DATE.search(text)
        reported = _date(match) if match else None
        return (reported.year if reported else None), None, None
    if form == FormType.FORM_10Q:
        match = _QUARTER_ENDED.search(text)
        period_end = _date(match) if match else None
        return (*_quarter_of(period_end, pages), period_end)
    if form == FormType.EARNINGS_RELEASE:
        match = _RELEASE_PERIOD_ENDED.search(text)
        period_end = _date(match) if match else None
        named = _named_quarter(_flat(pages[0][:25]))
        if named:
            return named[0], named[1], period_end
        full_year = _FULL_YEAR.search(_flat(pages[0][:25]))
        if full_year:
            return int(full_year.group("year")), None, period_end
        return (fiscal_year_of(period_end) if period_end else None), None, period_end
    match = _YEAR_ENDED.search(text)
    period_end = _date(match) if match else None
    if period_end:
        return fiscal_year_of(period_end), None, period_end
    title = _annual_report_title(pages) if form == FormType.ANNUAL_REPORT else None
    if title:
        end = title.group("end")
        year = title.group("after") or title.group("before")
        if end:  # "2023/24": the year it ends in
            year = end if len(end) == 4 else year[:2] + end
        return (int(year) if year else None), None, None
    return None, None, None


def _named_quarter(text: str) -> tuple[int, int] | None:
    """(fiscal year, quarter) named in the text, e.g. "first quarter of fiscal 2024"."""
    for pattern in _NAMED_QUARTER:
        match = pattern.search(text)
        if match:
            groups = match.groupdict()
            quarter = int(groups["qn"]) if groups.get("qn") else _ORDINAL[groups["q"].lower()]
            year = match.group("year")
            return (int(year) if len(year) == 4 else 2000 + int(year)), quarter
    return None


# A 10-Q naming its fiscal quarter: "second quarter of fiscal 2024", "fiscal 2024 second
# quarter" (not "the first quarter of 2020", which may be any earlier quarter).
_FISCAL_QUARTER = [
    re.compile(rf"\b{_Q}\s+of\s+{_FY}{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_FY}{_YEAR}\s+{_Q}\b", re.IGNORECASE),
]


def _quarter_of(period_end: date | None, pages: list[list[str]]) -> tuple[int | None, int | None]:
    """A 10-Q's fiscal year and quarter: as its first pages name them ("second quarter of
    fiscal 2024"), else the calendar quarter its period ends in (a fiscal year that is not
    the calendar year is then off; the cover does not say when the year ends)."""
    text = _flat([line for lines in pages for line in lines])
    for pattern in _FISCAL_QUARTER:
        match = pattern.search(text)
        if match:
            return int(match.group("year")), _ORDINAL[match.group("q").lower()]
    if period_end is None:
        return None, None
    closing = _month_end(period_end)
    return closing.year, (closing.month - 1) // 3 + 1


# --- company and ticker ------------------------------------------------------------------

_EXACT_NAME = re.compile(r"\(\s*exact\s+name\s+of\s+registrant", re.IGNORECASE)
_SUFFIX = re.compile(
    r"\b(?:inc|incorporated|corp|corporation|company|co|ltd|limited|plc|llc|l\.?p|n\.?v"
    r"|s\.?a|ag|se|sa|asa|ab|group|holdings)\.?$",
    re.IGNORECASE,
)
# Cover-page lines that are never a name...
_NOT_A_NAME = re.compile(
    r"commission\s+file|transition\s+period|mark\s+one|employer|identification|jurisdiction"
    r"|^\(|washington,\s+d\.?c|\d{2}-\d{7}",
    re.IGNORECASE,
)
# ...and, when scanning a cover for a line that ends like a company, lines about something
# else ("Chicago Stock Exchange, Inc." lists a security).
_ABOUT_SOMETHING_ELSE = re.compile(
    r"securities|exchange|stock\b|section|pursuant|report|\bact\b|telephone|address"
    r"|notes\s+due|united\s+states|fiscal\s+year|quarterly\s+period",
    re.IGNORECASE,
)
_AND_SUBSIDIARIES = re.compile(
    r"^(?P<name>.{2,80}?)\s+and\s+(?:its\s+)?(?:consolidated\s+)?subsidiaries\b", re.IGNORECASE
)
_LISTED_AS = re.compile(
    r"(?P<name>(?:[A-Z0-9&][\w&'.\-]*,?\s+){0,6}[A-Z0-9&][\w&'.\-]*?)\s*,?\s*"
    r"\((?:NYSE|NASDAQ|Nasdaq|NYSE\s+American|NYSE\s+Arca|Nasdaq\s*GS|TSX|ASX|LSE)\s*:\s*"
    r"(?P<ticker>[A-Z]{1,5}(?:\.[A-Z]{1,2})?)\s*\)"
)
_HEADLINE_NAME = re.compile(
    r"^(?P<name>[A-Z0-9][^.;:]{1,80}?)\s+(?i:reports?|announces?|posts?|delivers?)\b"
)


def _company(form: str, pages: list[list[str]], cover: int) -> str:
    sec = form in (FormType.FORM_10K, FormType.FORM_10Q, FormType.FORM_8K, FormType.OTHER)
    if sec:
        finders = (_labelled_name, _cover_name, _subsidiaries_name, _listed_name)
    else:
        finders = (_listed_name, _cover_name, _headline_name, _subsidiaries_name)
    for find in finders:
        name = find(pages, cover)
        if name:
            return name
    return ""


def _labelled_name(pages: list[list[str]], cover: int) -> str:
    """The line above "(Exact name of registrant as specified in its charter)", or below it
    when a cover prints the label first."""
    for lines in pages:
        for index, line in enumerate(lines):
            label = _EXACT_NAME.search(line)
            if not label:
                continue
            for candidate in (line[: label.start()], *lines[index - 1 : index][::-1]):
                name = _name_candidate(candidate)
                if name:
                    return name
            if index + 1 < len(lines):
                name = _name_candidate(lines[index + 1])
                if name:
                    return name
            return ""
    return ""


def _cover_name(pages: list[list[str]], cover: int) -> str:
    """The first line of the cover that ends like a company ("ACME COMPANY", "X Ltd"), before
    the securities the registrant lists."""
    if not pages:
        return ""
    for line in pages[cover][:30]:
        if re.match(r"securities\s+registered", line, re.IGNORECASE):
            break
        name = _name_candidate(line)
        if name and _SUFFIX.search(name) and not _ABOUT_SOMETHING_ELSE.search(name):
            return name
    return ""


def _subsidiaries_name(pages: list[list[str]], cover: int) -> str:
    """ "THE ACME-WIDGET COMPANY AND SUBSIDIARIES" above a contents page or a statement."""
    for lines in pages:
        for line in lines[:10]:
            match = _AND_SUBSIDIARIES.match(line)
            if match:
                name = _name_candidate(match.group("name"))
                if name:
                    return name
    return ""


def _listed_name(pages: list[list[str]], cover: int) -> str:
    """ "Umbrella Foods, Inc. (NASDAQ: UMBF)" as a press release's first paragraph names it."""
    for lines in pages[:2]:
        match = _LISTED_AS.search(_flat(lines[:40]))
        if match:
            words = match.group("name").split()
            while words and not re.search(r"[A-Za-z]", words[0]):
                words.pop(0)  # a dateline's year: "July 23, 2024 - Acme, Inc."
            return _name_candidate(" ".join(words))
    return ""


def _headline_name(pages: list[list[str]], cover: int) -> str:
    """ "Acme Reports Second-Quarter 2024 Results" → "Acme"."""
    for line in pages[0][:5] if pages else []:
        match = _HEADLINE_NAME.match(line)
        if match:
            return _name_candidate(match.group("name"))
    return ""


def _name_candidate(line: str) -> str:
    """A line cleaned into a company name, or "" when it cannot be one."""
    line = re.split(r"_{3,}", line)[-1]  # "Commission File Number 001-99999 ____ ACME, INC."
    line = re.sub(r"\s+([.,])", r"\1", " ".join(line.split())).strip(" _-:;")
    if not line or len(line) > 120 or len(line.split()) > 10:
        return ""
    if not re.search(r"[A-Za-z]{2}", line) or _NOT_A_NAME.search(line):
        return ""
    return _title_if_capitals(line)


_SMALL_WORDS = {"AND": "and", "OF": "of", "THE": "The", "INC": "Inc", "CO": "Co", "CORP": "Corp"}


def _title_if_capitals(name: str) -> str:
    """ "ADVANCED MICRO DEVICES, INC." → "Advanced Micro Devices, Inc."; short all-capital
    words stay (ABC, 3M); names printed in mixed case stay as printed."""
    if name != name.upper():
        return name

    def word(token: str) -> str:
        core = token.strip(".,&()")
        if core in _SMALL_WORDS:
            return token.replace(core, _SMALL_WORDS[core], 1)
        if sum(ch.isalpha() for ch in core) <= 3:
            return token
        return "-".join(part[:1] + part[1:].lower() for part in token.split("-"))

    titled = [word(token) for token in name.split()]
    if titled and titled[0] in {"and", "of"}:
        titled[0] = titled[0].capitalize()
    return " ".join(titled)


_TRADING_SYMBOL = re.compile(r"trading\s+symbol", re.IGNORECASE)
_SYMBOL_BEFORE_EXCHANGE = re.compile(
    r"\b(?P<ticker>[A-Z]{1,5}(?:\.[A-Z]{1,2})?)\s+(?:The\s+)?"
    r"(?:New\s+York\s+Stock\s+Exchange|NYSE|Nasdaq|NASDAQ|Chicago\s+Stock|Cboe)"
)
_NOT_A_TICKER = {"LLC", "NYSE", "INC", "THE", "USD"}


def _ticker(pages: list[list[str]]) -> str:
    """The common stock's trading symbol from the cover's table of listed securities, or from
    "(NYSE: ACMW)"."""
    for lines in pages:
        for index, line in enumerate(lines):
            if not _TRADING_SYMBOL.search(line):
                continue
            for row in lines[index + 1 : index + 5]:
                match = _SYMBOL_BEFORE_EXCHANGE.search(row)
                if match and match.group("ticker") not in _NOT_A_TICKER:
                    return match.group("ticker")
    for lines in pages[:2]:
        match = _LISTED_AS.search(_flat(lines[:40]))
        if match:
            return match.group("ticker")
    return ""
