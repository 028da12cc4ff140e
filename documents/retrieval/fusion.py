"""Fusing the two legs' rankings into ranked pages: pure functions of ids and parameters."""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from documents.retrieval.params import RetrievalParams


@dataclass(frozen=True)
class Fused:
    """Each fused chunk's score and its rank in each leg (1-based, within the fused depth)."""

    scores: dict[int, float]
    vector_rank: dict[int, int]
    text_rank: dict[int, int]
    statement_rank: dict[int, int] = field(default_factory=dict)


def fuse(
    vector_ids: Sequence[int],
    text_ids: Sequence[int],
    *,
    k: int,
    params: RetrievalParams,
    navigation: frozenset[int] | set[int] = frozenset(),
    statement_ids: Sequence[int] = (),
) -> Fused:
    """Weighted reciprocal rank fusion of the legs' best-first chunk ids; `navigation` are
    the candidates on contents pages (flagged at ingestion); `statement_ids` the statement
    leg's (see RetrievalParams.statement_weight)."""
    depth = max(k, round(k * params.fusion_depth_per_result))
    if params.demote_contents_pages:
        # Behind every other candidate of its leg: a contents page enters the fusion only
        # when a leg has nothing better, instead of taking an evidence page's place.
        vector_ids = sorted(vector_ids, key=lambda c: c in navigation)
        text_ids = sorted(text_ids, key=lambda c: c in navigation)
        statement_ids = sorted(statement_ids, key=lambda c: c in navigation)
    vector_rank = {c: rank for rank, c in enumerate(vector_ids[:depth], start=1)}
    text_rank = {c: rank for rank, c in enumerate(text_ids[:depth], start=1)}
    statement_rank = {c: rank for rank, c in enumerate(statement_ids[:depth], start=1)}
    scores: dict[int, float] = {}
    for ranks, weight in (
        (vector_rank, params.vector_weight),
        (text_rank, params.text_weight),
        (statement_rank, params.statement_weight),
    ):
        if weight == 0:  # the leg is left out (a one-leg ablation), not merely scored 0
            continue
        for chunk_id, rank in ranks.items():
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (params.rrf_k + rank)
    return Fused(scores, vector_rank, text_rank, statement_rank)


def rank_pages(
    scores: Mapping[int, float],
    page_of: Mapping[int, Hashable],
    *,
    k: int,
    params: RetrievalParams,
    legs: Sequence[Mapping[int, int]] = (),
) -> list[tuple[float, list[int]]]:
    """The k best pages as (score, their chunk ids best first): one entry per page, so k
    citations cover k different pages. `page_of` maps a chunk id to its page's key; chunks
    missing from it (deleted meanwhile) are dropped. `legs` are the legs' chunk ranks: each
    leg's best `params.reserved_per_leg` pages are kept among the k (see RetrievalParams)."""
    pages: dict[Hashable, list[int]] = {}
    for chunk_id in sorted(scores, key=lambda c: (-scores[c], c)):
        if chunk_id in page_of:
            pages.setdefault(page_of[chunk_id], []).append(chunk_id)
    combine = sum if params.page_score == "sum" else max
    scored = [(combine(scores[c] for c in ids), ids) for ids in pages.values()]
    scored.sort(key=lambda entry: (-entry[0], entry[1][0]))
    if not params.reserved_per_leg:
        return scored[:k]
    reserved = set()
    for ranks in legs:
        pages_by_rank = dict.fromkeys(
            page_of[c] for c in sorted(ranks, key=ranks.get) if c in page_of
        )
        reserved.update(list(pages_by_rank)[: params.reserved_per_leg])
    return _with_reserved(scored, k, reserved, page_of)


def _with_reserved(scored, k, reserved, page_of):
    """The first k of `scored`, where a reserved page below the k takes the place of the
    lowest unreserved one above it; the kept entries stay in score order."""
    chosen = scored[:k]
    missing = [entry for entry in scored[k:] if page_of[entry[1][0]] in reserved]
    for entry in missing:
        free = [i for i, e in enumerate(chosen) if page_of[e[1][0]] not in reserved]
        if not free:
            break
        chosen[free[-1]] = entry
    chosen.sort(key=lambda entry: (-entry[0], entry[1][0]))
    return chosen
