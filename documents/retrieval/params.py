"""The retriever's tuning, as one value passed to `hybrid_search` (benches try others)."""

from dataclasses import dataclass, replace
from typing import Literal


@dataclass(frozen=True)
class RetrievalParams:
    """Every knob of hybrid retrieval; the defaults are what the benches chose (figures in
    docs/ingestion.md). `replace(DEFAULT_PARAMS, rrf_k=30)` makes a variant."""

    # Reciprocal rank fusion constant (Cormack et al. 2009); 60 is the usual, robust choice.
    rrf_k: int = 60
    # Each leg's weight in the fusion: score = sum of weight / (rrf_k + rank).
    vector_weight: float = 1.0
    text_weight: float = 1.0
    # How deep each leg's ranking goes into the fusion, per result asked for. A deep list
    # lets a leg's weak matches collect fusion credit merely for also appearing in the other
    # list; on the long sample filings (bench/retrieval.py) fusing each leg's top k found
    # the evidence page in the top 5 for 17 of 18 questions, top 2.5k for 16, top 6k 15-16.
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
