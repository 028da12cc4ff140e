"""Adaptive RAG routing: each route, disabled routes, the skipped router call, AU web refusal."""

import pytest

from agents.adaptive_rag import SQL_UNAVAILABLE, WEB_REFUSED, AdaptiveDeps, build_graph
from agents.prompts import GradeDocuments, GradeGeneration, RouterQuery
from agents.state import WebResult
from agents.web_search import WebSearchUnavailable

from .scripted import FakePassage, ScriptedChat, ScriptedRetriever

GOOD = GradeGeneration(grounded=True, answers_question=True)
P1 = FakePassage("Revenue was $4.2 billion in 2024.")
HIT = WebResult(title="News", url="https://example.test/a", text="Rates rose today.")


def run(chat, routes, **deps):
    graph = build_graph(
        AdaptiveDeps(
            chat=chat,
            retrieve=deps.pop("retrieve", ScriptedRetriever([P1])),
            enabled_routes=routes,
            **deps,
        )
    )
    return graph.invoke({"question": "What was revenue?"}, {"recursion_limit": 40})


def test_single_route_skips_the_router_call():
    chat = ScriptedChat(structured=[GradeDocuments(relevant=[1]), GOOD])
    state = run(chat, ["financial_docs"])
    assert "RouterQuery" not in chat.calls
    assert state["route"] == "financial_docs"
    assert state["trace"][0]["decision"] == "financial_docs (only enabled route)"


def test_happy_path_with_routing_is_four_llm_calls():
    chat = ScriptedChat(
        structured=[RouterQuery(datasource="financial_docs"), GradeDocuments(relevant=[1]), GOOD]
    )
    state = run(chat, ["financial_docs", "web_search"], web_search=lambda q: [HIT])
    assert len(chat.calls) == 4
    assert state["grounded"] is True


def test_web_route_searches_and_answers_with_one_generation():
    chat = ScriptedChat(structured=[RouterQuery(datasource="web_search")], answers=["Up [1]."])
    state = run(chat, ["financial_docs", "web_search"], web_search=lambda q: [HIT])
    assert state["route"] == "web_search"
    assert state["answer"] == "Up [1]."
    assert state["relevant"] == [HIT]
    assert chat.calls == ["RouterQuery", "generate"]


def test_router_choice_of_a_disabled_route_falls_back_to_documents():
    chat = ScriptedChat(
        structured=[RouterQuery(datasource="web_search"), GradeDocuments(relevant=[1]), GOOD]
    )
    state = run(chat, ["financial_docs", "sql"])
    assert state["route"] == "financial_docs"
    assert "not enabled" in state["trace"][0]["decision"]


def test_sql_route_answers_that_it_is_not_available():
    chat = ScriptedChat(structured=[RouterQuery(datasource="sql")])
    state = run(chat, ["financial_docs", "sql"])
    assert state["route"] == "sql"
    assert state["answer"] == SQL_UNAVAILABLE


def test_web_search_refused_when_not_allowed_even_if_routed():
    chat = ScriptedChat(structured=[RouterQuery(datasource="web_search")])
    searched = []
    state = run(
        chat,
        ["financial_docs", "web_search"],
        web_search=lambda q: searched.append(q) or [HIT],
        web_search_allowed=False,
    )
    assert state["answer"] == WEB_REFUSED
    assert searched == []
    assert "generate" not in chat.calls


def test_web_search_not_configured_is_a_clear_answer():
    def unavailable(question):
        raise WebSearchUnavailable("Web search is not configured (TAVILY_API_KEY is not set).")

    chat = ScriptedChat(structured=[RouterQuery(datasource="web_search")])
    state = run(chat, ["financial_docs", "web_search"], web_search=unavailable)
    assert "TAVILY_API_KEY" in state["answer"]


def test_no_enabled_route_is_refused():
    with pytest.raises(ValueError, match="at least one enabled route"):
        build_graph(AdaptiveDeps(chat=ScriptedChat(), retrieve=lambda q: [], enabled_routes=[]))
