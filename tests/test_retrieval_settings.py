"""settings.RETRIEVAL_PARAMS reaches the retriever, and a misspelt knob is a system-check
error before any question is asked."""

import pytest

from documents.checks import retrieval_params_check


def test_unknown_retrieval_knobs_fail_the_system_check(settings):
    settings.RETRIEVAL_PARAMS = {"rrf": 30}
    errors = retrieval_params_check()
    assert [e.id for e in errors] == ["documents.E001"]
    assert "rrf" in errors[0].msg


def test_known_retrieval_knobs_pass(settings):
    settings.RETRIEVAL_PARAMS = {"rrf_k": 30, "text_weight": 0.5}
    assert retrieval_params_check() == []


@pytest.mark.django_db
def test_the_query_service_searches_with_the_configured_knobs(settings, tenant_a, monkeypatch):
    from agents import services
    from documents import retrieval

    seen = []

    def spy(**kwargs):
        seen.append(kwargs["params"])
        return []

    monkeypatch.setattr(retrieval, "hybrid_search", spy)
    settings.RETRIEVAL_PARAMS = {"rrf_k": 7}
    services.query_answer(tenant=tenant_a, question="What was revenue in 2023?")
    assert seen and all(params.rrf_k == 7 for params in seen)
