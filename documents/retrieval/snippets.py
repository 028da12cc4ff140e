"""The line of a passage that a citation shows: the one matching most of the question."""

import re

SNIPPET_CHARS = 300

_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_STOP = frozenset(
    "a an the of and or to in on for by with at from as is are was were be been this that "
    "these those it its what which who whom how when where why did does do our their your "
    "we they he she i you us than then there per into over under about much many".split()
)


def query_terms(query: str) -> set[str]:
    """The question's words as 6-character prefixes (a crude stem), stopwords dropped."""
    return {w[:6] for w in _WORD.findall(query.lower()) if w not in _STOP}


def best_snippet(text: str, terms: set[str], limit: int = SNIPPET_CHARS) -> str:
    """The line (a table row or a sentence run) that matches most query terms, widened with
    its neighbours up to `limit` characters."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return ""

    def score(line: str) -> int:
        return len({w[:6] for w in _WORD.findall(line.lower())} & terms)

    best = max(range(len(lines)), key=lambda i: (score(lines[i]), -i))
    start = end = best
    snippet = lines[best]
    while True:
        grown = False
        for candidate in (end + 1, start - 1):
            if 0 <= candidate < len(lines):
                joined = (
                    f"{snippet} {lines[candidate]}"
                    if candidate > end
                    else f"{lines[candidate]} {snippet}"
                )
                if len(joined) <= limit:
                    snippet, grown = joined, True
                    start, end = min(start, candidate), max(end, candidate)
        if not grown:
            break
    if len(snippet) > limit:
        snippet = snippet[: limit - 1].rsplit(" ", 1)[0] + "…"
    return snippet
