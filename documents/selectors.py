"""Reading documents, pages and chunks; `hybrid_search` is the retriever the agents call."""

import itertools
import re
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from documents.glossary import expansions
from documents.models import Chunk, Document, DocumentPage
from documents.question_scope import LibraryDocument, scope
from documents.tenant_indexes import TenantIndexState, state_from_row, state_query
from ragplatform.exceptions import DomainError, NotFound

# Reciprocal rank fusion constant (Cormack et al. 2009); 60 is the usual, robust choice.
RRF_K = 60
# How deep each leg's ranking goes into the fusion, per result asked for. A deep list lets a
# leg's weak matches collect fusion credit merely for also appearing in the other list; on
# the long sample filings (bench/retrieval.py) fusing each leg's top k found the evidence
# page in the top 5 for 17 of 18 questions, top 2.5k for 16, top 6k for 15-16.
FUSION_DEPTH_PER_RESULT = 1.0
# Candidates fetched from the HNSW index (also its ef_search), at least 40.
MIN_CANDIDATES = 40
# How a page's chunks combine into the page's score: "max" (its best chunk) or "sum".
PAGE_SCORE = "max"
SNIPPET_CHARS = 300
# Tables of contents and indexes list every section title, so they match a question's words
# without holding its answer: their chunks go behind the other candidates of each leg.
DEMOTE_CONTENTS_PAGES = True
# Which legs search with the glossary's expansions too (bench/filings.py measured both).
EXPAND_VECTOR = True
EXPAND_TEXT = True
# A page's passage (its matched chunks) is capped for the model's prompt.
MAX_PASSAGE_CHARS = 4000


def document_list(*, tenant):
    return Document.objects.for_tenant(tenant).order_by("-created_at")


def document_get(*, tenant, document_id) -> Document:
    document = Document.objects.for_tenant(tenant).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document


class DocumentScopeInvalid(DomainError):
    """A question's document filter names an unknown document or matches none."""

    code = "invalid_document_scope"
    status_code = 400


def documents_named_in(*, tenant, question: str) -> list[uuid.UUID] | None:
    """The tenant's ready documents a question is about, by the company and periods it names
    (documents.question_scope), or None when it names no company of the library."""
    rows = (
        Document.objects.for_tenant(tenant)
        .filter(status=Document.Status.READY)
        .exclude(company="")
        .values_list("pk", "company", "fiscal_year")
    )
    library = [LibraryDocument(str(pk), company, year) for pk, company, year in rows]
    ids = scope(question, library)
    return None if ids is None else [uuid.UUID(pk) for pk in ids]


def document_ids_matching(
    *, tenant, document_ids=None, company=None, fiscal_year=None, form_type=None
) -> list[uuid.UUID] | None:
    """The ids of the tenant's ready documents that a question is restricted to: among
    `document_ids` (if given), those matching every filter given (company: a substring of the
    company, any case, or the ticker). None when nothing is given: search every document.

    Raises DocumentScopeInvalid for an id that is not one of the tenant's documents (another
    tenant's id is answered exactly like an unknown one) and when no ready document matches.
    """
    if document_ids is None and not company and fiscal_year is None and not form_type:
        return None
    documents = Document.objects.for_tenant(tenant)
    if document_ids is not None:
        wanted = list(dict.fromkeys(_as_uuids(document_ids)))
        known = set(documents.filter(pk__in=wanted).values_list("pk", flat=True))
        unknown = [str(pk) for pk in wanted if pk not in known]
        if unknown:
            raise DocumentScopeInvalid(
                f"No such document: {', '.join(unknown)}.", code="unknown_document"
            )
        documents = documents.filter(pk__in=wanted)
    asked = []
    if company:
        company = " ".join(company.split())
        documents = documents.filter(Q(company__icontains=company) | Q(ticker__iexact=company))
        asked.append(f"company {company!r}")
    if fiscal_year is not None:
        documents = documents.filter(fiscal_year=fiscal_year)
        asked.append(f"fiscal_year {fiscal_year}")
    if form_type:
        documents = documents.filter(form_type=form_type)
        asked.append(f"form_type {form_type!r}")
    if document_ids is not None:
        asked.append(f"{len(wanted)} document_ids")
    ids = list(documents.filter(status=Document.Status.READY).values_list("pk", flat=True))
    if not ids:
        raise DocumentScopeInvalid(
            f"No ready document matches {' and '.join(asked)}; documents still being ingested "
            "are not searched. GET /api/v1/documents lists each document's metadata.",
            code="no_matching_documents",
        )
    return ids


def _as_uuids(values) -> list[uuid.UUID]:
    try:
        return [
            value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)) for value in values
        ]
    except ValueError as exc:
        raise DocumentScopeInvalid("document_ids must be UUIDs.", code="unknown_document") from exc


def document_page_get(*, tenant, document_id, number: int) -> DocumentPage:
    """The extracted text of one page (1-based physical number) of a tenant's document."""
    document = document_get(tenant=tenant, document_id=document_id)
    page = DocumentPage.objects.for_tenant(tenant).filter(document=document, number=number).first()
    if page is None:
        raise NotFound(
            f"Page {number} is not available: the document has {document.pages_total} page(s)"
            + ("." if document.status == Document.Status.READY else " and is not ready yet.")
        )
    return page


@dataclass(frozen=True)
class SearchHit:
    """One retrieved passage, with what a citation needs."""

    chunk_id: int
    document_id: str
    title: str
    filename: str
    page: int  # physical page (1-based) where the evidence starts
    page_end: int
    page_label: str  # printed page label when the PDF has one, else str(page)
    heading: str
    text: str
    score: float  # fused RRF score
    vector_rank: int | None
    text_rank: int | None
    query_terms: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    # The page's chunks that make up `text`, in reading order (their boxes highlight it).
    chunk_ids: tuple[int, ...] = ()

    @cached_property
    def snippet(self) -> str:
        """The passage's line that best matches the query, for its citation: computed when
        first asked for, as only the passages an answer cites need one."""
        return best_snippet(self.text, self.query_terms)


_VECTOR_SQL = """
WITH nearest AS MATERIALIZED (
    SELECT c.id, c.on_contents_page, c.embedding <=> %(vector)s::vector AS distance
    FROM documents_chunk c
    WHERE c.tenant_id = %(tenant)s
      AND c.embedding_model = %(model)s
      AND NOT (c.document_id = ANY(%(not_ready)s::uuid[]))
      AND (%(document_ids)s::uuid[] IS NULL OR c.document_id = ANY(%(document_ids)s::uuid[]))
    ORDER BY distance  -- the select-list expression: the HNSW index still serves it
    LIMIT %(limit)s
)
SELECT id, on_contents_page FROM nearest ORDER BY distance, id
"""

# The question's lexemes in order (stemmed, stopwords dropped), to rank by rarity, then
# those of its period variants (part 1); fetched with hybrid_search's first statement.
_LEXEMES_SQL = """
SELECT lexeme, positions[1] AS position, 0 AS part
  FROM unnest(to_tsvector('english', %(query)s))
UNION ALL
SELECT lexeme, positions[1], 1 FROM unnest(to_tsvector('english', %(variants)s))
"""

TEXT_SCAN_LIMIT = 2_000
# A term in at least this many of the tenant's chunks is "common": it still scores, but does
# not pull candidates in. Counting stops at the cap, so the count costs at most that much.
COMMON_TERM_CHUNKS = 500

# The full-text leg, ranked in one statement (see _text_params for the why):
# - term: each term's chunk count among the tenant's chunks, capped (GIN index);
# - weight: each term's IDF, and each adjacent-term phrase's (half its pair's IDF);
# - q: the candidate query, the informative terms OR-ed, else all terms AND-ed; if that
#   matches nothing, all terms OR-ed (fallback);
# - candidate: the matching chunks (the best TEXT_SCAN_LIMIT by cover density when more
#   match), ranked by the summed weight of the terms and phrases each contains, ties by
#   cover density (ts_rank_cd: title/heading weighted above text), then id.
_TEXT_SQL = """
WITH probe AS (
    SELECT p.probe, p.n FROM unnest(%(probes)s::tsquery[]) WITH ORDINALITY AS p(probe, n)
), term AS MATERIALIZED (
    SELECT probe.n, probe.probe, (
        SELECT count(*) FROM (
            SELECT 1 FROM documents_chunk c
            WHERE c.tenant_id = %(tenant)s AND c.search_vector @@ probe.probe
            LIMIT %(cap)s
        ) hits
    ) AS df
    FROM probe WHERE probe.n <= %(terms)s
), idf AS (
    SELECT n, ln(1 + (%(total)s::float8 - df + 0.5) / (df + 0.5)) AS idf FROM term
), weight AS MATERIALIZED (
    SELECT n, idf AS w FROM idf
    UNION ALL
    SELECT %(terms)s + ph.i, 0.5 * (l.idf + r.idf)
    FROM unnest(%(left)s::int[], %(right)s::int[]) WITH ORDINALITY AS ph(l, r, i)
    JOIN idf l ON l.n = ph.l JOIN idf r ON r.n = ph.r
), scoring AS MATERIALIZED (
    SELECT array_agg(probe.probe ORDER BY probe.n) AS probes,
           array_agg(weight.w ORDER BY probe.n) AS weights
    FROM probe JOIN weight USING (n)
), q AS MATERIALIZED (
    SELECT coalesce(string_agg(probe::text, ' | ' ORDER BY n) FILTER (WHERE df < %(cap)s),
                    string_agg(probe::text, ' & ' ORDER BY n))::tsquery AS loose,
           CASE WHEN bool_and(df >= %(cap)s) AND count(*) > 1
                THEN string_agg(probe::text, ' | ' ORDER BY n)::tsquery END AS fallback
    FROM term
), matches AS MATERIALIZED (
    SELECT c.id, c.on_contents_page, c.search_vector,
           ts_rank_cd(c.search_vector, q.loose, 1) AS cover_density
    FROM documents_chunk c, q
    WHERE c.tenant_id = %(tenant)s
      AND c.search_vector @@ q.loose
      AND NOT (c.document_id = ANY(%(not_ready)s::uuid[]))
      AND (%(document_ids)s::uuid[] IS NULL OR c.document_id = ANY(%(document_ids)s::uuid[]))
    ORDER BY cover_density DESC, c.id  -- ties at the scan limit: the same chunks every time
    LIMIT %(text_scan_limit)s
), fallback AS (
    SELECT c.id, c.on_contents_page, c.search_vector,
           ts_rank_cd(c.search_vector, q.fallback, 1) AS cover_density
    FROM documents_chunk c, q
    WHERE q.fallback IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM matches)
      AND c.tenant_id = %(tenant)s
      AND c.search_vector @@ q.fallback
      AND NOT (c.document_id = ANY(%(not_ready)s::uuid[]))
      AND (%(document_ids)s::uuid[] IS NULL OR c.document_id = ANY(%(document_ids)s::uuid[]))
    ORDER BY cover_density DESC, c.id  -- ties at the scan limit: the same chunks every time
    LIMIT %(text_scan_limit)s
), candidate AS (
    SELECT * FROM matches UNION ALL SELECT * FROM fallback
)
SELECT m.id, m.on_contents_page
FROM candidate m, scoring s
ORDER BY -- rounded: equal sums taken in another order may differ in the last bit
         round((SELECT coalesce(sum(x.w), 0) FROM unnest(s.probes, s.weights) AS x(probe, w)
                WHERE m.search_vector @@ x.probe)::numeric, 9) DESC,
         m.cover_density DESC,
         m.id
LIMIT %(limit)s
"""


def _question_terms(lexeme_rows: list) -> tuple[list[str], list[tuple[str, str, int]]]:
    """The question's terms (its lexemes, then its period variants') and its adjacent-term
    phrases (left, right, gap), from the (lexeme, position, part) rows of _LEXEMES_SQL."""
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


def _text_params(terms: list[str], phrases: list[tuple[str, str, int]], total: int) -> dict:
    """_TEXT_SQL's parameters: the full-text leg ranks chunks BM25-style, by the summed
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
        "probes": [_quote(term) for term in terms]
        + [f"{_quote(left)} <{gap}> {_quote(right)}" for left, right, gap in phrases],
        "terms": len(terms),
        # A phrase is worth the rarer half of its pair again: "effective tax rate" beats
        # pages that say "effective", "tax" and "rate" far apart.
        "left": [position[left] for left, _, _ in phrases],
        "right": [position[right] for _, right, _ in phrases],
        "total": total,
        "cap": COMMON_TERM_CHUNKS,
        "text_scan_limit": TEXT_SCAN_LIMIT,
    }


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


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _vector_literal(vector: list[float]) -> str:
    # One %-format of the whole vector: a per-value f-string showed up in profiles.
    return "[" + ",".join(["%.7g"] * len(vector)) % tuple(vector) + "]"


MAX_EF_SEARCH = 1000


def ef_search(limit: int, tenant_chunks: int, all_chunks: int) -> int:
    """HNSW candidate-list size for a tenant-filtered query over the shared index: it walks
    every tenant's vectors, so it needs about limit / share candidates for `limit` of them to
    be this tenant's (a 10 % tenant: 10x). A tenant with its own index has a share of 1; small
    tenants are exact-scanned by the planner anyway."""
    share = min(1.0, max(tenant_chunks, 1) / max(all_chunks, 1))
    return int(min(MAX_EF_SEARCH, max(MIN_CANDIDATES, limit, round(limit / share))))


# With its own index a tenant's query walks only its vectors, but ef_search = limit misses
# neighbours among near-ties: on bench/retrieval.py's 11k-chunk tenant, ef 40/80/160/320 gave
# recall@10 0.88/0.94/0.98/0.99. Three times the candidates wanted keeps it above 0.95.
OWN_INDEX_EF_FACTOR = 3


def vector_ef_search(state: TenantIndexState, limit: int) -> int:
    """ef_search for the tenant's vector query: with its own index, a few times the
    candidates wanted; over the shared index, scaled by the tenant's share of the rows."""
    if state.index == "valid":
        return min(MAX_EF_SEARCH, max(MIN_CANDIDATES, limit) * OWN_INDEX_EF_FACTOR)
    return ef_search(limit, state.tenant_chunks, state.all_chunks)


def hybrid_search(
    *, tenant, query: str, embedder, k: int = 8, document_ids=None
) -> list[SearchHit]:
    """The k best passages of the tenant's ready documents for the query: pgvector cosine
    (HNSW) and full-text ranks fused by RRF, at most one passage per page. `document_ids`
    (see document_ids_matching) restricts both legs to those documents."""
    query = " ".join((query or "").split())[:2000]
    if not query or k <= 0:
        return []
    # Metric and statement names in the words filings print (documents.glossary).
    extra = expansions(query)
    vector = _vector_literal(
        embedder.embed_query(f"{query} {extra}" if extra and EXPAND_VECTOR else query)
    )
    if EXPAND_TEXT and (text_extra := expansions(query, full_text=True)):
        query = f"{query} {text_extra}"
    limit = max(MIN_CANDIDATES, k * 6)
    with connection.cursor() as cursor:
        # Round trips are most of this function's cost, so the preparation is one statement:
        # the documents not to search, the index state that sizes ef_search, and the scan mode.
        state_sql, state_params = state_query(tenant.pk)
        cursor.execute(
            _PREPARE_SQL.format(state=state_sql, lexemes=_LEXEMES_SQL),
            {**state_params, "query": query, "variants": period_variants(query)},
        )
        not_ready, lexeme_rows, *state_row = cursor.fetchone()
        state = state_from_row(*state_row)
        params = {
            "tenant": tenant.pk,
            "model": embedder.model_id,
            "vector": vector,
            "query": query,
            "not_ready": [str(pk) for pk in not_ready],
            # Bound on the client: NULL folds the clause away when nothing restricts the search.
            "document_ids": None if document_ids is None else [str(pk) for pk in document_ids],
            "limit": limit,
            "ef_search": str(vector_ef_search(state, limit)),
        }
        terms, phrases = _question_terms(lexeme_rows)
        # Independent statements in one round trip (Django's psycopg cursor binds on the
        # client): set ef_search, the vector leg, the ranked full-text leg.
        sql = f"{_SET_EF_SEARCH_SQL} {_VECTOR_SQL}"
        if terms:
            sql += f"; {_TEXT_SQL}"
            params |= _text_params(terms, phrases, state.tenant_chunks)
        cursor.execute(sql, params)
        cursor.nextset()
        vector_rows = cursor.fetchall()
        text_rows = cursor.fetchall() if terms and cursor.nextset() else []
    navigation = {chunk_id for chunk_id, on_contents in vector_rows + text_rows if on_contents}
    vector_ids = [chunk_id for chunk_id, _ in vector_rows]
    text_ids = [chunk_id for chunk_id, _ in text_rows]
    return _fuse(
        tenant=tenant,
        query=query,
        vector_ids=vector_ids,
        text_ids=text_ids,
        k=k,
        navigation=navigation,
    )


# Session settings (not SET LOCAL: no transaction, so no BEGIN/COMMIT round trips). Every
# vector query sets both right before it runs, so a value never leaks into another's query.
# iterative_scan: a tenant-filtered HNSW scan keeps going until `limit` rows pass the filter.
_PREPARE_SQL = """
SELECT ARRAY(SELECT d.id FROM documents_document d
              WHERE d.tenant_id = %(tenant)s AND d.status <> 'ready'),
       (SELECT coalesce(json_agg(json_build_array(l.lexeme, l.position, l.part)
                                 ORDER BY l.part, l.position), '[]')
          FROM ({lexemes}) l),
       s.*
FROM ({state}) s, set_config('hnsw.iterative_scan', 'relaxed_order', false)
"""
_SET_EF_SEARCH_SQL = "SELECT set_config('hnsw.ef_search', %(ef_search)s, false);"


class _PassageChunk(NamedTuple):
    id: int
    document_id: uuid.UUID
    ordinal: int
    page_start: int
    page_end: int
    page_label: str
    heading: str
    text: str
    title: str
    filename: str


# The fused candidates with what a passage and its citation need, in one statement (raw
# SQL: the ORM's query building and model instances cost more than the query itself).
_PASSAGE_CHUNKS_SQL = """
SELECT c.id, c.document_id, c.ordinal, c.page_start, c.page_end, c.page_label, c.heading,
       c.text, d.title, d.filename
FROM documents_chunk c
JOIN documents_document d ON d.id = c.document_id AND d.tenant_id = c.tenant_id
WHERE c.tenant_id = %(tenant)s AND c.id = ANY(%(ids)s)
"""


def _passage_chunks(tenant_id, chunk_ids: list[int]) -> dict[int, _PassageChunk]:
    if not chunk_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_PASSAGE_CHUNKS_SQL, {"tenant": tenant_id, "ids": chunk_ids})
        return {row[0]: _PassageChunk(*row) for row in cursor.fetchall()}


def _fuse(
    *,
    tenant,
    query: str,
    vector_ids: list[int],
    text_ids: list[int],
    k: int,
    navigation: set[int] = frozenset(),
):
    """RRF of the two legs' rankings, one hit per page; `navigation` are the candidates on
    contents pages (flagged at ingestion)."""
    depth = max(k, round(k * FUSION_DEPTH_PER_RESULT))
    if DEMOTE_CONTENTS_PAGES:
        # Behind every other candidate of its leg: a contents page enters the fusion only
        # when a leg has nothing better, instead of taking an evidence page's place.
        vector_ids = sorted(vector_ids, key=lambda c: c in navigation)
        text_ids = sorted(text_ids, key=lambda c: c in navigation)
    vector_ids, text_ids = vector_ids[:depth], text_ids[:depth]
    scores: dict[int, float] = {}
    vector_rank = {chunk_id: rank for rank, chunk_id in enumerate(vector_ids, start=1)}
    text_rank = {chunk_id: rank for rank, chunk_id in enumerate(text_ids, start=1)}
    for ranks in (vector_rank, text_rank):
        for chunk_id, rank in ranks.items():
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    chunks = _passage_chunks(tenant.pk, list(scores))
    # One passage per page (its best chunk), so the k citations cover k different pages.
    pages: dict[tuple, list[int]] = {}
    for chunk_id in sorted(scores, key=lambda c: (-scores[c], c)):
        chunk = chunks.get(chunk_id)
        if chunk is not None:
            pages.setdefault((chunk.document_id, chunk.page_start), []).append(chunk_id)
    combine = sum if PAGE_SCORE == "sum" else max

    def page_score(ids: list[int]) -> float:
        return combine(scores[c] for c in ids)

    ranked = sorted(pages.values(), key=lambda ids: (-page_score(ids), ids[0]))
    terms = frozenset(_query_terms(query))
    hits = []
    for ids in ranked[:k]:
        chunk = chunks[ids[0]]
        # The passage is every matched chunk of the page in reading order: the best chunk
        # alone may be a heading whose table or paragraph was matched as the next chunk.
        # Best chunks first up to MAX_PASSAGE_CHARS, so a dense page cannot flood the prompt.
        kept, size = [], 0
        for chunk_id in ids:  # already best-first
            if kept and size + len(chunks[chunk_id].text) > MAX_PASSAGE_CHARS:
                continue
            kept.append(chunk_id)
            size += len(chunks[chunk_id].text)
        kept.sort(key=lambda c: chunks[c].ordinal)
        text = "\n".join(chunks[c].text for c in kept)
        hits.append(
            SearchHit(
                chunk_id=chunk.id,
                document_id=str(chunk.document_id),
                title=chunk.title,
                filename=chunk.filename,
                page=chunk.page_start,
                page_end=chunk.page_end,
                page_label=chunk.page_label or str(chunk.page_start),
                heading=chunk.heading,
                text=text,
                score=round(page_score(ids), 6),
                vector_rank=vector_rank.get(chunk.id),
                text_rank=text_rank.get(chunk.id),
                query_terms=terms,
                chunk_ids=tuple(kept),
            )
        )
    return hits


_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_STOP = frozenset(
    "a an the of and or to in on for by with at from as is are was were be been this that "
    "these those it its what which who whom how when where why did does do our their your "
    "we they he she i you us than then there per into over under about much many".split()
)


def _query_terms(query: str) -> set[str]:
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


def page_chunks(*, page: DocumentPage):
    """The chunks that start on a page, in order (for the admin's page view)."""
    return (
        Chunk.objects.for_tenant(page.tenant)
        .filter(document_id=page.document_id, page_start=page.number)
        .order_by("ordinal")
        .only("ordinal", "heading", "text", "token_count")
    )
