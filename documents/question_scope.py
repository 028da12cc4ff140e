"""Which of a tenant's documents a question is about, from the company and periods it names.

"What is 3M's FY2018 capital expenditure?" in a library of 3M 2018 and 2022 10-Ks, PepsiCo
and Nike filings is about the 3M 2018 10-K: retrieval then searches that document only,
instead of letting another company's cash-flow page outrank it. A question that names no
company of the library, or names one but no period that matches, is scoped as far as it can
be (company only) or not at all.
"""

import re
from dataclasses import dataclass

# Words of a registrant's name that do not tell companies apart.
_LEGAL = frozenset(
    "inc incorporated corp corporation co company companies ltd limited plc llc lp holdings "
    "holding group the and of sa nv ag se".split()
)
_NAME_WORD = re.compile(r"[a-z0-9]+")
# FY2018, FY 18, fiscal 2018, fiscal year 2018, or a year alone (2018).
_YEAR = re.compile(
    r"\b(?:fy\s?'?|fiscal\s+(?:year\s+)?)?((?:19|20)\d{2})\b|\bfy\s?'?(\d{2})\b", re.I
)


@dataclass(frozen=True)
class LibraryDocument:
    id: str
    company: str
    fiscal_year: int | None
    ticker: str = ""


def company_keys(company: str) -> list[str]:
    """The distinctive words of a company name, in order ("PepsiCo, Inc." -> ["pepsico"];
    "CVS Health Corporation" -> ["cvs", "health"])."""
    words = _NAME_WORD.findall(company.lower().replace("&", " and "))
    return [word for word in words if word not in _LEGAL]


def names_company(question: str, company: str) -> bool:
    """Whether the question names the company: its first distinctive word (with the second
    when the first is short, "3M" stays one word) appears as a word of the question."""
    keys = company_keys(company)
    if not keys:
        return False
    words = set(_NAME_WORD.findall(question.lower().replace("'s", "")))
    squeezed = "".join(_NAME_WORD.findall(question.lower()))
    wanted = keys[:1] if len(keys[0]) >= 4 or any(ch.isdigit() for ch in keys[0]) else keys[:2]
    # "Foot Locker" is also written "FootLocker"; "JPMorgan" as "JP Morgan".
    return all(key in words for key in wanted) or "".join(keys[:2]) in squeezed


# A ticker or an acronym is matched as an upper-case word of the question ("JPM", "AMD"):
# lower-case words ("cost", "gis") are ordinary words far too often.
_UPPER_WORD = re.compile(r"\b[A-Z][A-Z0-9.]{2,}\b")
MIN_SYMBOL = 3


def names_symbol(question: str, company: str, ticker: str = "") -> bool:
    """Whether the question names the company by its ticker or by its initials, in capitals,
    3 letters or more ("JPM" for JPMorgan Chase & Co., JPM; "AMD" for Advanced Micro
    Devices, Inc.)."""
    symbols = set(_UPPER_WORD.findall(question))
    if not symbols:
        return False
    keys = company_keys(company)
    initials = "".join(key[0] for key in keys).upper() if len(keys) >= MIN_SYMBOL else ""
    return any(
        symbol and len(symbol) >= MIN_SYMBOL and symbol in symbols
        for symbol in (ticker.upper().strip(), initials)
    )


def years_named(question: str) -> set[int]:
    years = set()
    for full, short in _YEAR.findall(question):
        years.add(int(full) if full else 2000 + int(short))
    return years


def scope(question: str, documents: list[LibraryDocument]) -> list[str] | None:
    """The ids of the documents the question is about, or None to search the whole library.

    Company first; then, among that company's documents, those of a year the question
    names, else of the year or two after it (a later filing repeats it as comparatives)."""
    named = {
        d.company.lower()
        for d in documents
        if d.company
        and (names_company(question, d.company) or names_symbol(question, d.company, d.ticker))
    }
    # Every filing of a named company, also those whose cover printed no ticker.
    by_company = [d for d in documents if d.company.lower() in named]
    if not by_company:
        return None
    years = years_named(question)
    if years:
        for later in (0, 1, 2):
            wanted = {year + later for year in years}
            matching = [d for d in by_company if d.fiscal_year in wanted]
            if matching:
                return [d.id for d in matching]
    return [d.id for d in by_company]
