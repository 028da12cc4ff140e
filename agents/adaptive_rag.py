"""Adaptive RAG: route the question, then answer on the chosen route.

START → route_question → financial_docs (the Self-RAG flow) | web_search_agent | sql_agent.
sql_agent (agents/sql_route.py) goes on to financial_docs when no figure answers and the
tenant has that route.
Only the tenant's enabled routes can be chosen; with one route enabled the router call is
skipped. One compiled graph per set of enabled routes, shared by every tenant that has it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from langgraph.graph import END, START, StateGraph

from agents import prompts
from agents.self_rag import BoundGraph, SelfRagDeps, add_self_rag, messages, timed
from agents.sql_route import NO_FACTS, SqlRouteDeps, answer_with_sql
from agents.state import AnswerState
from agents.web_search import WebSearchUnavailable
from tenants.models import ROUTES

SQL_UNAVAILABLE = (
    "The SQL route (questions over tables extracted from your documents) is not available on "
    "this platform yet. Ask about a specific figure and it will be answered from the documents."
)
WEB_REFUSED = (
    "Web search is disabled for this tenant: it would send the question outside Australia."
)


@dataclass
class AdaptiveDeps(SelfRagDeps):
    enabled_routes: list[str] = field(default_factory=lambda: ["financial_docs"])
    web_search: Callable[[str], list] | None = None
    web_search_allowed: bool = True
    sql: SqlRouteDeps = field(default_factory=SqlRouteDeps)

    @property
    def routes(self) -> tuple[str, ...]:
        return tuple(r for r in ROUTES if r in self.enabled_routes)


def route_question(state: AnswerState, deps: AdaptiveDeps) -> dict:
    routes = deps.routes
    if len(routes) == 1:
        return {"route": routes[0], "decision": f"{routes[0]} (only enabled route)"}
    choice = deps.chat.structured(
        messages(
            prompts.ROUTER_SYSTEM.format(routes=", ".join(routes)),
            prompts.rewrite_user(state["question"]),
        ),
        prompts.RouterQuery,
    ).datasource
    if choice not in routes:
        fallback = "financial_docs" if "financial_docs" in routes else routes[0]
        return {"route": fallback, "decision": f"{choice} is not enabled → {fallback}"}
    return {"route": choice, "decision": choice}


def web_search_agent(state: AnswerState, deps: AdaptiveDeps) -> dict:
    if not deps.web_search_allowed:
        return {"answer": WEB_REFUSED, "grounded": False, "decision": "refused (AU tenant)"}
    try:
        results = deps.web_search(state["question"]) if deps.web_search else []
    except WebSearchUnavailable as exc:
        return {"answer": str(exc), "grounded": False, "decision": "not configured"}
    if not results:
        return {
            "answer": "Web search found nothing for this question.",
            "grounded": False,
            "decision": "no results",
        }
    answer = deps.chat.generate(
        messages(prompts.WEB_ANSWER_SYSTEM, prompts.generate_user(state["question"], results))
    )
    return {
        "answer": answer,
        "relevant": results,
        "grounded": False,
        "decision": f"{len(results)} results",
    }


def sql_agent(state: AnswerState, deps: AdaptiveDeps) -> dict:
    if deps.sql.run_sql is None:
        return {"answer": SQL_UNAVAILABLE, "grounded": False, "decision": "not available"}
    update = answer_with_sql(state["question"], deps.chat, deps.sql)
    attempts = update["detail"]["attempts"]
    rows = next((a["rows"] for a in reversed(attempts) if "error" not in a), 0)
    if update["sql_fallback"]:
        onward = "financial_docs" in deps.routes
        update["decision"] = f"no figures after {len(attempts)} attempt(s)" + (
            " → financial_docs" if onward else ""
        )
        if onward:
            update["route"] = "financial_docs"  # what answers; the trace keeps the attempts
        else:
            update.update(answer=NO_FACTS, grounded=False)
        return update
    update["decision"] = f"{rows} row(s) after {len(attempts)} attempt(s)"
    return update


def after_sql(state: AnswerState) -> str:
    return "financial_docs" if state.get("sql_fallback") else "end"


def chosen_route(state: AnswerState) -> str:
    return state["route"]


@cache
def compiled_adaptive(routes: tuple[str, ...]):
    builder = StateGraph(AnswerState)
    builder.add_node("route_question", timed("route_question", route_question))
    builder.add_edge(START, "route_question")
    targets = {}
    if "financial_docs" in routes:
        targets["financial_docs"] = add_self_rag(builder)
    if "web_search" in routes:
        builder.add_node("web_search_agent", timed("web_search_agent", web_search_agent))
        builder.add_edge("web_search_agent", END)
        targets["web_search"] = "web_search_agent"
    if "sql" in routes:
        builder.add_node("sql_agent", timed("sql_agent", sql_agent))
        if "financial_docs" in targets:
            onward = {"end": END, "financial_docs": targets["financial_docs"]}
            builder.add_conditional_edges("sql_agent", after_sql, onward)
        else:
            builder.add_edge("sql_agent", END)
        targets["sql"] = "sql_agent"
    builder.add_conditional_edges("route_question", chosen_route, targets)
    return builder.compile()


def compile_all() -> int:
    """Compile the graph of every set of routes a tenant can enable (at worker start, so no
    question waits for it); returns how many."""
    sets = [
        tuple(r for i, r in enumerate(ROUTES) if mask & (1 << i))
        for mask in range(1, 1 << len(ROUTES))
    ]
    for routes in sets:
        compiled_adaptive(routes)
    return len(sets)


def build_graph(deps: AdaptiveDeps) -> BoundGraph:
    if not deps.routes:
        raise ValueError("A tenant needs at least one enabled route.")
    return BoundGraph(compiled_adaptive(deps.routes), deps)
