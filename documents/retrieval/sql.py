"""The retriever's SQL. Every statement reads tenant rows only through `tenant_filter`, and
runs through `execute`, which binds the tenant from the tenant object itself: no caller
passes a tenant id of its own, and a statement without the filter is refused."""

# ruff: noqa: S608 -- statements are composed at import from constant fragments only;
# every value is a bound parameter.

TENANT = "%(tenant)s"


def tenant_filter(alias: str) -> str:
    """The WHERE clause that keeps `alias`'s rows to the asking tenant's."""
    return f"{alias}.tenant_id = {TENANT}"


class UnscopedStatement(RuntimeError):
    """A retrieval statement that does not filter by tenant: a programming error."""


def execute(cursor, sql: str, params: dict, *, tenant) -> None:
    """Run a retrieval statement with the tenant bound from `tenant` (never from params)."""
    if TENANT not in sql:
        raise UnscopedStatement("retrieval SQL must filter rows with tenant_filter()")
    if "tenant" in params:
        raise UnscopedStatement("the tenant is bound by execute(), not passed in params")
    cursor.execute(sql, {**params, "tenant": tenant.pk})


# Both legs skip documents not ready (being re-ingested) and, when given, keep to the
# question's documents: bound on the client, NULL folds the clause away.
_DOCUMENTS = """
      AND NOT (c.document_id = ANY(%(not_ready)s::uuid[]))
      AND (%(document_ids)s::uuid[] IS NULL OR c.document_id = ANY(%(document_ids)s::uuid[]))"""

VECTOR_SQL = f"""
WITH nearest AS MATERIALIZED (
    SELECT c.id, c.on_contents_page, c.embedding <=> %(vector)s::vector AS distance
    FROM documents_chunk c
    WHERE {tenant_filter("c")}
      AND c.embedding_model = %(model)s{_DOCUMENTS}
    ORDER BY distance  -- the select-list expression: the HNSW index still serves it
    LIMIT %(limit)s
)
SELECT id, on_contents_page FROM nearest ORDER BY distance, id
"""

# The statement leg: the chunks whose context names one of the statements asked for,
# nearest to the question first. Filtered before it is ordered (MATERIALIZED), so the
# distance is exact and no HNSW scan stops short under the filter: a tenant's statement pages
# are a few per filing.
STATEMENT_SQL = f"""
WITH labelled AS MATERIALIZED (
    SELECT c.id, c.on_contents_page, c.embedding
    FROM documents_chunk c
    WHERE {tenant_filter("c")}
      AND c.embedding_model = %(model)s{_DOCUMENTS}
      AND c.context LIKE ANY(%(statements)s)
)
SELECT id, on_contents_page FROM labelled
ORDER BY embedding <=> %(vector)s::vector, id
LIMIT %(limit)s
"""

# The question's lexemes in order (stemmed, stopwords dropped), to rank by rarity, then
# those of its period variants (part 1); fetched with hybrid_search's first statement.
LEXEMES_SQL = """
SELECT lexeme, positions[1] AS position, 0 AS part
  FROM unnest(to_tsvector('english', %(query)s))
UNION ALL
SELECT lexeme, positions[1], 1 FROM unnest(to_tsvector('english', %(variants)s))
"""

# The full-text leg, ranked in one statement (see documents.retrieval.text for the why). It
# reads documents_chunk_text, the chunks' tenant-policed full-text view, because under
# row-level security `@@` could not use the GIN indexes (documents/migrations/0005):
# - term: each term's chunk count among the tenant's chunks, capped (GIN index);
# - weight: each term's IDF, and each adjacent-term phrase's (half its pair's IDF);
# - q: the candidate query, the informative terms OR-ed, else all terms AND-ed; if that
#   matches nothing, all terms OR-ed (fallback);
# - candidate: the matching chunks (the best text_scan_limit by cover density when more
#   match), ranked by the summed weight of the terms and phrases each contains, ties by
#   cover density (ts_rank_cd: title/heading weighted above text), then id.
TEXT_SQL = f"""
WITH probe AS (
    SELECT p.probe, p.n FROM unnest(%(probes)s::tsquery[]) WITH ORDINALITY AS p(probe, n)
), term AS MATERIALIZED (
    SELECT probe.n, probe.probe, (
        SELECT count(*) FROM (
            SELECT 1 FROM documents_chunk_text c
            WHERE {tenant_filter("c")} AND c.search_vector @@ probe.probe
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
    FROM documents_chunk_text c, q
    WHERE {tenant_filter("c")}
      AND c.search_vector @@ q.loose{_DOCUMENTS}
    ORDER BY cover_density DESC, c.id  -- ties at the scan limit: the same chunks every time
    LIMIT %(text_scan_limit)s
), fallback AS (
    SELECT c.id, c.on_contents_page, c.search_vector,
           ts_rank_cd(c.search_vector, q.fallback, 1) AS cover_density
    FROM documents_chunk_text c, q
    WHERE q.fallback IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM matches)
      AND {tenant_filter("c")}
      AND c.search_vector @@ q.fallback{_DOCUMENTS}
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

# Round trips are most of hybrid_search's cost, so its preparation is one statement: the
# documents not to search, the question's lexemes and the index state that sizes
# ef_search. Session settings (not SET LOCAL: no transaction, so no BEGIN/COMMIT round
# trips); every vector query sets both right before it runs, so a value never leaks into
# another's query. iterative_scan: a tenant-filtered HNSW scan keeps going until `limit`
# rows pass the filter.
PREPARE_SQL = f"""
SELECT ARRAY(SELECT d.id FROM documents_document d
              WHERE {tenant_filter("d")} AND d.status <> 'ready'),
       (SELECT coalesce(json_agg(json_build_array(l.lexeme, l.position, l.part)
                                 ORDER BY l.part, l.position), '[]')
          FROM ({LEXEMES_SQL}) l),
       s.*
FROM ({{state}}) s, set_config('hnsw.iterative_scan', 'relaxed_order', false)
"""
SET_EF_SEARCH_SQL = "SELECT set_config('hnsw.ef_search', %(ef_search)s, false);"

# The fused candidates with what a passage and its citation need, in one statement (raw
# SQL: the ORM's query building and model instances cost more than the query itself).
PASSAGE_CHUNKS_SQL = f"""
SELECT c.id, c.document_id, c.ordinal, c.page_start, c.page_end, c.page_label, c.heading,
       c.text, d.title, d.filename
FROM documents_chunk c
JOIN documents_document d ON d.id = c.document_id AND d.tenant_id = c.tenant_id
WHERE {tenant_filter("c")} AND c.id = ANY(%(ids)s)
"""


def vector_literal(vector: list[float]) -> str:
    # One %-format of the whole vector: a per-value f-string showed up in profiles.
    return "[" + ",".join(["%.7g"] * len(vector)) % tuple(vector) + "]"
