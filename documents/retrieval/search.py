"""`hybrid_search`: the tenant's best passages for a question, one per page."""

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db import connection

from documents.glossary import expansions, statements_asked
from documents.retrieval import sql
from documents.retrieval.fusion import fuse, rank_pages
from documents.retrieval.params import DEFAULT_PARAMS, RetrievalParams
from documents.retrieval.snippets import best_snippet, query_terms
from documents.retrieval.text import period_variants, question_terms, text_params
from documents.tenant_indexes import TenantIndexState, state_from_row, state_query


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
    statement_rank: int | None = None
    query_terms: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    # The page's chunks that make up `text`, in reading order (their boxes highlight it).
    chunk_ids: tuple[int, ...] = ()

    @cached_property
    def snippet(self) -> str:
        """The passage's line that best matches the query, for its citation: computed when
        first asked for, as only the passages an answer cites need one."""
        return best_snippet(self.text, self.query_terms)


MAX_EF_SEARCH = 1000
# With its own index a tenant's query walks only its vectors, but ef_search = limit misses
# neighbours among near-ties: on bench/retrieval.py's 11k-chunk tenant, ef 40/80/160/320 gave
# recall@10 0.88/0.94/0.98/0.99. Three times the candidates wanted keeps it above 0.95.
OWN_INDEX_EF_FACTOR = 3
MIN_EF_SEARCH = 40


def ef_search(limit: int, tenant_chunks: int, all_chunks: int) -> int:
    """HNSW candidate-list size for a tenant-filtered query over the shared index: it walks
    every tenant's vectors, so it needs about limit / share candidates for `limit` of them to
    be this tenant's (a 10 % tenant: 10x). A tenant with its own index has a share of 1; small
    tenants are exact-scanned by the planner anyway."""
    share = min(1.0, max(tenant_chunks, 1) / max(all_chunks, 1))
    return int(min(MAX_EF_SEARCH, max(MIN_EF_SEARCH, limit, round(limit / share))))


def vector_ef_search(state: TenantIndexState, limit: int) -> int:
    """ef_search for the tenant's vector query: with its own index, a few times the
    candidates wanted; over the shared index, scaled by the tenant's share of the rows."""
    if state.index == "valid":
        return min(MAX_EF_SEARCH, max(MIN_EF_SEARCH, limit) * OWN_INDEX_EF_FACTOR)
    return ef_search(limit, state.tenant_chunks, state.all_chunks)


def hybrid_search(
    *,
    tenant,
    query: str,
    embedder,
    k: int = 8,
    document_ids=None,
    params: RetrievalParams = DEFAULT_PARAMS,
) -> list[SearchHit]:
    """The k best passages of the tenant's ready documents for the query: pgvector cosine
    (HNSW) and full-text ranks fused by RRF, at most one passage per page. `document_ids`
    (see documents.selectors.document_ids_matching) restricts both legs to those documents;
    `params` are the retriever's knobs (documents.retrieval.params)."""
    query = " ".join((query or "").split())[:2000]
    if not query or k <= 0:
        return []
    # Metric and statement names in the words filings print (documents.glossary).
    extra = expansions(query)
    statements = (
        statements_asked(query, metrics=params.statement_metrics) if params.statement_weight else []
    )
    vector = sql.vector_literal(
        embedder.embed_query(f"{query} {extra}" if extra and params.expand_vector else query)
    )
    if params.expand_text and (text_extra := expansions(query, full_text=True)):
        query = f"{query} {text_extra}"
    limit = params.candidates(k)
    with connection.cursor() as cursor:
        state_sql, state_params = state_query(tenant.pk)
        state_params.pop("tenant")  # the same tenant: execute() binds it itself
        sql.execute(
            cursor,
            sql.PREPARE_SQL.format(state=state_sql),
            {**state_params, "query": query, "variants": period_variants(query)},
            tenant=tenant,
        )
        not_ready, lexeme_rows, *state_row = cursor.fetchone()
        state = state_from_row(*state_row)
        bound = {
            "model": embedder.model_id,
            "vector": vector,
            "query": query,
            "not_ready": [str(pk) for pk in not_ready],
            "document_ids": None if document_ids is None else [str(pk) for pk in document_ids],
            "limit": limit,
            "ef_search": str(vector_ef_search(state, limit)),
        }
        terms, phrases = question_terms(lexeme_rows)
        # Independent statements in one round trip (Django's psycopg cursor binds on the
        # client): set ef_search, the vector leg, the ranked full-text leg.
        statement = f"{sql.SET_EF_SEARCH_SQL} {sql.VECTOR_SQL}"
        if terms:
            statement += f"; {sql.TEXT_SQL}"
            bound |= text_params(terms, phrases, state.tenant_chunks, params)
        if statements:
            statement += f"; {sql.STATEMENT_SQL}"
            bound["statements"] = [f"%{_like_escaped(label)}%" for label in statements]
        sql.execute(cursor, statement, bound, tenant=tenant)
        cursor.nextset()
        vector_rows = cursor.fetchall()
        text_rows = cursor.fetchall() if terms and cursor.nextset() else []
        statement_rows = cursor.fetchall() if statements and cursor.nextset() else []
    fused = fuse(
        [chunk_id for chunk_id, _ in vector_rows],
        [chunk_id for chunk_id, _ in text_rows],
        k=k,
        params=params,
        navigation={
            chunk_id
            for chunk_id, on_contents in vector_rows + text_rows + statement_rows
            if on_contents
        },
        statement_ids=[chunk_id for chunk_id, _ in statement_rows],
    )
    chunks = _passage_chunks(tenant, list(fused.scores))
    page_of = {c.id: (c.document_id, c.page_start) for c in chunks.values()}
    terms_of_query = frozenset(query_terms(query))
    return [
        _hit(chunks, ids, score, fused, terms_of_query, params)
        for score, ids in rank_pages(
            fused.scores, page_of, k=k, params=params, legs=_weighted_legs(fused, params)
        )
    ]


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _weighted_legs(fused, params: RetrievalParams) -> tuple:
    legs = (
        (fused.vector_rank, params.vector_weight),
        (fused.text_rank, params.text_weight),
        (fused.statement_rank, params.statement_weight),
    )
    return tuple(ranks for ranks, weight in legs if weight and ranks)


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


def _passage_chunks(tenant, chunk_ids: list[int]) -> dict[int, _PassageChunk]:
    if not chunk_ids:
        return {}
    with connection.cursor() as cursor:
        sql.execute(cursor, sql.PASSAGE_CHUNKS_SQL, {"ids": chunk_ids}, tenant=tenant)
        return {row[0]: _PassageChunk(*row) for row in cursor.fetchall()}


def _hit(chunks, ids, score, fused, terms, params: RetrievalParams) -> SearchHit:
    """A page's hit: its best chunk cites it; the passage is every matched chunk of the page
    in reading order (the best chunk alone may be a heading whose table or paragraph was
    matched as the next chunk), best chunks first up to max_passage_chars, so a dense page
    cannot flood the prompt."""
    chunk = chunks[ids[0]]
    kept, size = [], 0
    for chunk_id in ids:  # already best-first
        if kept and size + len(chunks[chunk_id].text) > params.max_passage_chars:
            continue
        kept.append(chunk_id)
        size += len(chunks[chunk_id].text)
    kept.sort(key=lambda c: chunks[c].ordinal)
    text = "\n".join(chunks[c].text for c in kept)
    return SearchHit(
        chunk_id=chunk.id,
        document_id=str(chunk.document_id),
        title=chunk.title,
        filename=chunk.filename,
        page=chunk.page_start,
        page_end=chunk.page_end,
        page_label=chunk.page_label or str(chunk.page_start),
        heading=chunk.heading,
        text=text,
        score=round(score, 6),
        vector_rank=fused.vector_rank.get(chunk.id),
        text_rank=fused.text_rank.get(chunk.id),
        statement_rank=fused.statement_rank.get(chunk.id),
        query_terms=terms,
        chunk_ids=tuple(kept),
    )
