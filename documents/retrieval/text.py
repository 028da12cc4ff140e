"""The full-text leg's terms, phrases and parameters, and the periods filings print."""

import itertools
import re

from documents.retrieval.params import RetrievalParams


def question_terms(lexeme_rows: list) -> tuple[list[str], list[tuple[str, str, int]]]:
    """The question's terms (its lexemes, then its period variants') and its adjacent-term
    phrases (left, right, gap), from the (lexeme, position, part) rows of LEXEMES_SQL."""
    lexemes = [(lexeme, position) for lexeme, position, part in lexeme_rows if part == 0]
    if not lexemes:
        return [], []
    terms = [lexeme for lexeme, _ in lexemes]
    # Period variants are scored as terms of their own (no phrases): "Q4" where the question
    # said "fourth quarter" is the same evidence.
    terms += [lexeme for lexeme, _, part in lexeme_rows if part == 1 and lexeme not in terms]
    phrases = [
        (left, right, right_pos - left_pos)
        for (left, left_pos), (right, right_pos) in itertools.pairwise(lexemes)
        if 0 < right_pos - left_pos <= 3
    ]
    return terms, phrases


def text_params(
    terms: list[str],
    phrases: list[tuple[str, str, int]],
    total: int,
    params: RetrievalParams,
) -> dict:
    """TEXT_SQL's parameters: the full-text leg ranks chunks BM25-style, by the summed
    rarity (IDF) of the question's terms and adjacent-term phrases each contains, ties broken
    by ts_rank_cd. `total`: the tenant's chunk count (the IDF's N).

    websearch_to_tsquery's AND of every term rarely matches a long question, and plain
    ts_rank has no notion of rarity, so "revenue" (on most pages of a filing) would weigh as
    much as "spodumene" (on one). Candidates come from the informative terms: a chunk that
    only shares "revenue" and "2024" with the question is never worth ranking, and ranking
    every such chunk of a large tenant is what made this leg slow. The ranking runs in the
    database, so only the `limit` best ids come back, in the vector query's round trip.
    """
    position = {term: n for n, term in enumerate(terms, start=1)}
    return {
        "probes": [quote(term) for term in terms]
        + [f"{quote(left)} <{gap}> {quote(right)}" for left, right, gap in phrases],
        "terms": len(terms),
        # A phrase is worth the rarer half of its pair again: "effective tax rate" beats
        # pages that say "effective", "tax" and "rate" far apart.
        "left": [position[left] for left, _, _ in phrases],
        "right": [position[right] for _, right, _ in phrases],
        "total": total,
        "cap": params.common_term_chunks,
        "text_scan_limit": params.text_scan_limit,
    }


def quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


_ORDINALS = ("first", "second", "third", "fourth")
_QUARTER = re.compile(r"\b(?:(first|second|third|fourth)\s+quarter|q([1-4]))\b", re.IGNORECASE)
_FISCAL_YEAR = re.compile(r"\bfy\s?'?(\d{4}|\d{2})\b", re.IGNORECASE)


def period_variants(query: str) -> str:
    """The other ways filings write the periods a question names: "fourth quarter" / "Q4",
    "FY2024" / "FY24" / "2024" (a year alone, as statement columns print it)."""
    variants = []
    for words, digit in _QUARTER.findall(query):
        if words:
            variants.append(f"Q{_ORDINALS.index(words.lower()) + 1}")
        else:
            variants.append(f"{_ORDINALS[int(digit) - 1]} quarter")
    for year in _FISCAL_YEAR.findall(query):
        variants.append(year if len(year) == 4 else f"20{year}")
    return " ".join(variants)
