"""documents.retrieval: fusion and page ranking as pure functions of explicit parameters,
and the tenant filter of every raw statement from one place."""

import re

import pytest

from documents.retrieval import DEFAULT_PARAMS, sql
from documents.retrieval.fusion import fuse, rank_pages


def test_rrf_adds_each_legs_weighted_reciprocal_rank():
    fused = fuse(
        [1, 2], [2, 3], k=5, params=DEFAULT_PARAMS.variant(rrf_k=10, vector_weight=1, text_weight=2)
    )
    assert fused.scores == pytest.approx({1: 1 / 11, 2: 1 / 12 + 2 / 11, 3: 2 / 12})
    assert (fused.vector_rank, fused.text_rank) == ({1: 1, 2: 2}, {2: 1, 3: 2})


def test_a_leg_weighted_zero_is_left_out_not_scored_zero():
    fused = fuse([1, 2], [3], k=5, params=DEFAULT_PARAMS.variant(text_weight=0))
    assert set(fused.scores) == {1, 2}


def test_each_leg_enters_the_fusion_only_to_its_depth():
    params = DEFAULT_PARAMS.variant(fusion_depth_per_result=2)
    fused = fuse(list(range(1, 20)), [], k=3, params=params)
    assert sorted(fused.scores) == [1, 2, 3, 4, 5, 6]


def test_contents_pages_go_behind_their_legs_other_candidates_unless_turned_off():
    demoted = fuse([1, 2, 3], [], k=2, params=DEFAULT_PARAMS, navigation={1})
    assert sorted(demoted.scores) == [2, 3]
    kept = fuse([1, 2, 3], [], k=2, params=DEFAULT_PARAMS.variant(demote_contents_pages=False))
    assert sorted(kept.scores) == [1, 2]


def test_pages_rank_by_their_best_chunk_or_by_the_sum_of_their_chunks():
    scores = {1: 0.5, 2: 0.4, 3: 0.3, 4: 0.3}
    page_of = {1: "p1", 2: "p2", 3: "p2", 4: "p3", 99: "gone"}
    best = rank_pages(scores, page_of, k=5, params=DEFAULT_PARAMS)
    assert [(round(s, 2), ids) for s, ids in best] == [(0.5, [1]), (0.4, [2, 3]), (0.3, [4])]
    summed = rank_pages(scores, page_of, k=2, params=DEFAULT_PARAMS.variant(page_score="sum"))
    assert [ids for _, ids in summed] == [[2, 3], [1]]


def test_a_chunk_without_a_page_was_deleted_meanwhile_and_is_dropped():
    assert rank_pages({7: 1.0}, {}, k=3, params=DEFAULT_PARAMS) == []


def test_params_reject_unknown_knobs():
    with pytest.raises(TypeError):
        DEFAULT_PARAMS.variant(rrf=10)


_STATEMENTS = {
    name: value
    for name, value in vars(sql).items()
    if name.endswith("_SQL") and re.search(r"\bdocuments_\w+", value)
}


def test_every_statement_reading_tenant_tables_filters_each_of_them_by_tenant():
    assert set(_STATEMENTS) >= {"VECTOR_SQL", "TEXT_SQL", "PREPARE_SQL", "PASSAGE_CHUNKS_SQL"}
    for name, statement in _STATEMENTS.items():
        aliases = re.findall(r"\bdocuments_\w+\s+(\w+)", statement)
        for alias in set(aliases):
            assert sql.tenant_filter(alias) in statement or (
                f"{alias}.tenant_id = " in statement  # a join on another scoped alias
            ), f"{name}: {alias} is not filtered by tenant"


class _Cursor:
    def __init__(self):
        self.calls = []

    def execute(self, statement, params):
        self.calls.append((statement, params))


class _Tenant:
    pk = "tenant-a-id"


def test_execute_binds_the_tenant_from_the_tenant_object():
    cursor = _Cursor()
    sql.execute(cursor, sql.PASSAGE_CHUNKS_SQL, {"ids": [1]}, tenant=_Tenant())
    assert cursor.calls == [(sql.PASSAGE_CHUNKS_SQL, {"ids": [1], "tenant": "tenant-a-id"})]


def test_execute_refuses_a_statement_without_the_tenant_filter_or_a_tenant_in_params():
    with pytest.raises(sql.UnscopedStatement):
        sql.execute(_Cursor(), "SELECT id FROM documents_chunk", {}, tenant=_Tenant())
    with pytest.raises(sql.UnscopedStatement):
        sql.execute(
            _Cursor(), sql.PASSAGE_CHUNKS_SQL, {"ids": [1], "tenant": "other"}, tenant=_Tenant()
        )


def test_each_legs_best_pages_stay_among_the_results_when_reserved():
    # The vector leg, weighted 3, fills the top 2 with its own pages; the full-text leg's
    # best page (chunk 9, alone on p9) is kept in place of the weakest unreserved one.
    params = DEFAULT_PARAMS.variant(vector_weight=3, reserved_per_leg=1)
    fused = fuse([1, 2, 3], [9], k=3, params=params)
    page_of = {1: "p1", 2: "p2", 3: "p3", 9: "p9"}
    legs = (fused.vector_rank, fused.text_rank)
    kept = rank_pages(fused.scores, page_of, k=2, params=params, legs=legs)
    assert [ids for _, ids in kept] == [[1], [9]]
    plain = rank_pages(fused.scores, page_of, k=2, params=params.variant(reserved_per_leg=0))
    assert [ids for _, ids in plain] == [[1], [2]]


def test_the_statement_leg_is_fused_with_its_weight_and_left_out_at_zero():
    params = DEFAULT_PARAMS.variant(rrf_k=10, vector_weight=1, text_weight=1, statement_weight=2)
    fused = fuse([1], [2], k=5, params=params, statement_ids=[3, 1])
    assert fused.scores == pytest.approx({1: 1 / 11 + 2 / 12, 2: 1 / 11, 3: 2 / 11})
    assert fused.statement_rank == {3: 1, 1: 2}
    off = fuse([1], [2], k=5, params=DEFAULT_PARAMS.variant(statement_weight=0), statement_ids=[3])
    assert 3 not in off.scores
