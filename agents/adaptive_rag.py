"""Adaptive RAG: route the question, then answer on the chosen route.

START → route_question → financial_docs (the Self-RAG flow) | web_search_agent | sql_agent.
Only the tenant's enabled routes can be chosen; with one route enabled the router call is
skipped.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from langgraph.graph import END, START, StateGraph

from agents import prompts
from agents.self_rag import SelfRagDeps, _messages, add_self_rag, timed
from agents.state import AnswerState
from agents.web_search import WebSearchUnavailable

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


def build_graph(deps: AdaptiveDeps):
    builder = StateGraph(AnswerState)
    routes = [r for r in deps.enabled_routes if r in ("financial_docs", "web_search", "sql")]
    if not routes:
        raise ValueError("A tenant needs at least one enabled route.")
    fallback = "financial_docs" if "financial_docs" in routes else routes[0]

    def route_question(state: AnswerState) -> dict:
        if len(routes) == 1:
            return {"route": routes[0], "decision": f"{routes[0]} (only enabled route)"}
        choice = deps.chat.structured(
            _messages(
                prompts.ROUTER_SYSTEM.format(routes=", ".join(routes)),
                prompts.rewrite_user(state["question"]),
            ),
            prompts.RouterQuery,
        ).datasource
        if choice not in routes:
            return {"route": fallback, "decision": f"{choice} is not enabled → {fallback}"}
        return {"route": choice, "decision": choice}

    def web_search_agent(state: AnswerState) -> dict:
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
            _messages(prompts.WEB_ANSWER_SYSTEM, prompts.generate_user(state["question"], results))
        )
        return {
            "answer": answer,
            "relevant": results,
            "grounded": False,
            "decision": f"{len(results)} results",
        }

    def sql_agent(state: AnswerState) -> dict:
        return {"answer": SQL_UNAVAILABLE, "grounded": False, "decision": "not available"}

    builder.add_node("route_question", timed("route_question", route_question))
    builder.add_edge(START, "route_question")
    targets = {}
    if "financial_docs" in routes:
        targets["financial_docs"] = add_self_rag(builder, deps)
    if "web_search" in routes:
        builder.add_node("web_search_agent", timed("web_search_agent", web_search_agent))
        builder.add_edge("web_search_agent", END)
        targets["web_search"] = "web_search_agent"
    if "sql" in routes:
        builder.add_node("sql_agent", timed("sql_agent", sql_agent))
        builder.add_edge("sql_agent", END)
        targets["sql"] = "sql_agent"
    builder.add_conditional_edges("route_question", lambda state: state["route"], targets)
    return builder.compile()
