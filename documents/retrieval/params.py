"""The retriever's tuning, as one value passed to `hybrid_search` (benches try others)."""

from dataclasses import dataclass, replace
from typing import Literal


@dataclass(frozen=True)
class RetrievalParams:
    """Every knob of hybrid retrieval; the defaults are what the benches chose (figures in
    docs/ingestion.md). `replace(DEFAULT_PARAMS, rrf_k=30)` makes a variant."""

    # Reciprocal rank fusion constant (Cormack et al. 2009); 60 is the usual, robust choice.
    rrf_k: int = 60
    # Each leg's weight in the fusion: score = sum of weight / (rrf_k + rank). RRF is flat:
    # with a weight above 1 a leg's rank-12 page outscores the other leg's rank 1, so the
    # heavier leg alone fills the first citations. On the real dev filings
    # (python -m bench.filings --sweep, 64 questions) the semantic leg weighted 2 finds more
    # first citations (hits@1 24 -> 31, @5 46 -> 47), but on the synthetic filings, where
    # exact wording wins, it loses them (bench.retrieval @5 1.00 -> 0.77; x1.5 too), unless
    # the full-text leg's best pages are reserved (below): x2 + 2 reserved keeps 1.00 @5.
    vector_weight: float = 2.0
    text_weight: float = 1.0
    # Each leg's best pages kept among the results whatever the fusion says (0: none), so a
    # heavier leg cannot push the other's best match out of the first citations. Synthetic
    # filings with vector x2: 0 reserved @5 0.77, 1 -> 0.97, 2 -> 1.00; dev filings (15
    # questions of the first 10 filings): @5 14/15 and @1 8/15 with 0, 1 or 2 reserved.
    reserved_per_leg: int = 2
    # How deep each leg's ranking goes into the fusion, per result asked for. A deep list
    # lets a leg's weak matches collect fusion credit merely for also appearing in the other
    # list (synthetic long filings: top k 17/18, 2.5k 16, 6k 15-16), but on real filings the
    # evidence page's chunks often sit just below the top k of one leg: dev filings hits@5
    # 1k 46, 2k 46, 3k 49 of 64 (with vector x2: 3k 49, 4k 47). Not taken: 3k makes the
    # Phase 1 revenue validation query answer from the wrong page (validate_queries 14/16).
    fusion_depth_per_result: float = 1.0
    # Candidates fetched from each leg (also the HNSW ef_search floor): max(this, 6 k).
    min_candidates: int = 40
    # How a page's chunks combine into the page's score: its best chunk, or their sum.
    page_score: Literal["max", "sum"] = "max"
    # Tables of contents and indexes list every section title, so they match a question's
    # words without holding its answer: their chunks go behind each leg's other candidates.
    demote_contents_pages: bool = True
    # Which legs search with the glossary's expansions too (bench/filings.py measured both).
    expand_vector: bool = True
    expand_text: bool = True
    # The statement leg: when a question names a primary statement ("use the cash flow
    # statement", "P&L"; with `statement_metrics` also when it names a metric read from one,
    # see glossary.statements_asked), the chunks of the searched documents' pages of that
    # statement (their context carries its label, see chunking.statement_of), nearest to the
    # question first, are fused as a third leg with this weight (0: no such leg), and its
    # best pages are reserved as the other legs' are. Dev filings (64 questions, bench.filings
    # --sweep): no leg @5 47 @1 20; x1 47/28; x2 53/29; x3 55/29; x4 54/29; named only: x2
    # 55/25, x3 57/25. Metrics also trigger it for "operating margin" or "net income" whose
    # evidence is MD&A or a segment page. Synthetic filings with x3 named only: @5 1.00.
    statement_weight: float = 3.0
    statement_metrics: bool = False
    # A page's passage (its matched chunks) is capped for the model's prompt.
    max_passage_chars: int = 4000
    # The full-text leg ranks at most this many matching chunks (by cover density first).
    text_scan_limit: int = 2_000
    # A term in at least this many of the tenant's chunks is "common": it still scores, but
    # does not pull candidates in. Counting stops at the cap, so it costs at most that much.
    common_term_chunks: int = 500

    def candidates(self, k: int) -> int:
        return max(self.min_candidates, k * 6)

    def variant(self, **changes) -> "RetrievalParams":
        return replace(self, **changes)


DEFAULT_PARAMS = RetrievalParams()
