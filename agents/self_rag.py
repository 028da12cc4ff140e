"""Self-RAG as a LangGraph StateGraph, exactly the seed's flow.

START → retrieve → grade_documents →
    [irrelevant] → transform_query → retrieve (a query already searched: give up)
    [relevant]   → generate → grade_generation →
        [hallucinating]   → generate (retry)
        [grounded, bad]   → transform_query → retrieve
        [grounded, good]  → END
Every loop is bounded by tenant limits checked in the routing functions; when a bound is hit
the graph ends through `give_up`/`finish` with `limits_hit` set, never by recursion error.

Graphs are compiled once and shared: the tenant's model, retriever and limits travel in the
run's config (``configurable.deps``), so building a graph costs nothing per question.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph

from agents import prompts
from agents.state import AnswerState
from documents.glossary import expansions
from providers.base import ChatModel

NO_EVIDENCE = (
    "I could not find this in your documents. The closest passages are cited below; none of "
    "them answers the question."
)
UNVERIFIED = (
    "I could not produce an answer that I could verify against your documents. The most "
    "relevant passages are cited below."
)


@dataclass
class SelfRagDeps:
    chat: ChatModel
    retrieve: Callable[[str], list]
    max_retrieval_attempts: int = 3
    max_generation_retries: int = 1


def deps_of(config) -> SelfRagDeps:
    return config["configurable"]["deps"]


def timed(name: str, node: Callable) -> Callable:
    """Wrap ``node(state, deps)`` as a graph node that appends {node, decision, ms} to the
    trace, with the node's ``detail`` (e.g. the sql route's statements) when it gives one."""

    def run(state: AnswerState, config) -> dict:
        started = time.perf_counter()
        update = node(state, deps_of(config))
        decision = update.pop("decision", "")
        detail = update.pop("detail", None) or {}
        ms = round((time.perf_counter() - started) * 1000, 2)
        update["trace"] = [{"node": name, "decision": decision, "ms": ms, **detail}]
        return update

    return run


def messages(system: str, user: str) -> list:
    return [SystemMessage(system), HumanMessage(user)]


# ---- nodes: (state, deps) -> partial state update ----


def retrieve(state: AnswerState, deps: SelfRagDeps) -> dict:
    query = state.get("query") or state["question"]
    passages = deps.retrieve(query)
    return {
        "query": query,
        "passages": passages,
        "attempts": [passages],
        "tried": [query],
        "retrievals": state.get("retrievals", 0) + 1,
        "decision": f"{len(passages)} passages for: {query}",
    }


def closest_passages(attempts: list[list]) -> list:
    """The passages of every retrieval without repeats: the question's own search first, in
    the retriever's order, then what each rewrite's search added, in its order. What a reader
    gets when no passage was judged relevant."""
    merged, seen = [], set()
    for attempt in attempts:
        for passage in attempt:
            key = (getattr(passage, "document_id", None), passage.page_label, passage.title)
            if key not in seen:
                seen.add(key)
                merged.append(passage)
    return merged


def grade_documents(state: AnswerState, deps: SelfRagDeps) -> dict:
    passages = state.get("passages") or []
    if not passages:
        return {"relevant": [], "decision": "no passages retrieved"}
    grade = deps.chat.structured(
        messages(
            prompts.GRADE_DOCUMENTS_SYSTEM,
            prompts.grade_documents_user(state["question"], passages),
        ),
        prompts.GradeDocuments,
    )
    wanted = {n for n in grade.relevant if 1 <= n <= len(passages)}
    relevant = [p for n, p in enumerate(passages, start=1) if n in wanted]
    return {"relevant": relevant, "decision": f"{len(relevant)}/{len(passages)} relevant"}


def transform_query(state: AnswerState, deps: SelfRagDeps) -> dict:
    question = state["question"]
    rewritten = deps.chat.structured(
        messages(prompts.REWRITE_SYSTEM, prompts.rewrite_user(question, expansions(question))),
        prompts.RewrittenQuestion,
    )
    query = rewritten.question.strip() or state["question"]
    if query in (state.get("tried") or []):
        # The same search again would find the same passages: stop here instead.
        return {"query": query, "repeated": True, "decision": f"already searched: {query}"}
    return {"query": query, "repeated": False, "decision": f"rewritten: {query}"}


def generate(state: AnswerState, deps: SelfRagDeps) -> dict:
    answer = deps.chat.generate(
        messages(
            prompts.GENERATE_SYSTEM, prompts.generate_user(state["question"], state["relevant"])
        )
    )
    generations = state.get("generations", 0) + 1
    return {"answer": answer, "generations": generations, "decision": f"draft {generations}"}


def grade_generation(state: AnswerState, deps: SelfRagDeps) -> dict:
    verdict = deps.chat.structured(
        messages(
            prompts.GRADE_GENERATION_SYSTEM,
            prompts.grade_generation_user(state["question"], state["relevant"], state["answer"]),
        ),
        prompts.GradeGeneration,
    )
    return {
        "grounded": verdict.grounded,
        "answers_question": verdict.answers_question,
        "decision": f"grounded={verdict.grounded} answers={verdict.answers_question}",
    }


def finish(state: AnswerState, deps: SelfRagDeps) -> dict:
    limits = []
    if not state.get("answers_question"):
        exhausted = state.get("retrievals", 0) >= deps.max_retrieval_attempts
        limits = ["retrieval_attempts" if exhausted else "generation_retries"]
    return {"limits_hit": limits, "decision": "answer" if not limits else "best answer"}


def give_up(state: AnswerState, deps: SelfRagDeps) -> dict:
    if state.get("relevant") and state.get("generations"):
        return {
            "answer": UNVERIFIED,
            "grounded": False,
            "passages": state["relevant"],
            "limits_hit": ["generation_retries"],
            "decision": "generation retries exhausted",
        }
    return {
        "answer": NO_EVIDENCE,
        "grounded": False,
        "passages": closest_passages(state.get("attempts") or [state.get("passages") or []]),
        "relevant": [],
        "limits_hit": ["retrieval_attempts"],
        "decision": "retrieval attempts exhausted",
    }


# ---- routing: (state, config) -> edge name; the loop bounds are checked here ----


def drafts_left(state: AnswerState, deps: SelfRagDeps) -> bool:
    # Every draft after the first is a retry, whatever caused it, so the budget is global.
    return state.get("generations", 0) < 1 + deps.max_generation_retries


def after_grading(state: AnswerState, config) -> str:
    deps = deps_of(config)
    if state.get("relevant"):
        return "generate"
    if state.get("retrievals", 0) < deps.max_retrieval_attempts:
        return "transform_query"
    return "give_up"


def after_rewrite(state: AnswerState, config) -> str:
    if not state.get("repeated"):
        return "retrieve"
    # A grounded but incomplete draft is still the best answer; else nothing was found.
    return "finish" if state.get("grounded") and state.get("generations") else "give_up"


def after_generation_check(state: AnswerState, config) -> str:
    deps = deps_of(config)
    if not state.get("grounded"):
        return "generate" if drafts_left(state, deps) else "give_up"
    if not state.get("answers_question"):
        if state.get("retrievals", 0) < deps.max_retrieval_attempts and drafts_left(state, deps):
            return "transform_query"
        return "finish"
    return "finish"


NODES = {
    "retrieve": retrieve,
    "grade_documents": grade_documents,
    "transform_query": transform_query,
    "generate": generate,
    "grade_generation": grade_generation,
    "finish": finish,
    "give_up": give_up,
}


def add_self_rag(builder: StateGraph) -> str:
    """Add the Self-RAG nodes and edges to ``builder``; return the entry node's name."""
    for name, node in NODES.items():
        builder.add_node(name, timed(name, node))
    builder.add_edge("retrieve", "grade_documents")
    builder.add_conditional_edges(
        "grade_documents",
        after_grading,
        {"generate": "generate", "transform_query": "transform_query", "give_up": "give_up"},
    )
    builder.add_conditional_edges(
        "transform_query",
        after_rewrite,
        {"retrieve": "retrieve", "finish": "finish", "give_up": "give_up"},
    )
    builder.add_edge("generate", "grade_generation")
    builder.add_conditional_edges(
        "grade_generation",
        after_generation_check,
        {
            "generate": "generate",
            "transform_query": "transform_query",
            "finish": "finish",
            "give_up": "give_up",
        },
    )
    builder.add_edge("finish", END)
    builder.add_edge("give_up", END)
    return "retrieve"


def recursion_limit(deps: SelfRagDeps) -> int:
    """A LangGraph step limit comfortably above the bounded worst path."""
    rounds = deps.max_retrieval_attempts * (4 + 2 * (deps.max_generation_retries + 1))
    return 10 + rounds


class BoundGraph:
    """A shared compiled graph with one run's dependencies attached."""

    def __init__(self, compiled, deps: SelfRagDeps):
        self.compiled, self.deps = compiled, deps

    def invoke(self, state: dict, config: dict | None = None) -> dict:
        config = dict(config or {})
        config["configurable"] = {**config.get("configurable", {}), "deps": self.deps}
        config.setdefault("recursion_limit", recursion_limit(self.deps))
        return self.compiled.invoke(state, config)


@cache
def compiled_self_rag():
    builder = StateGraph(AnswerState)
    builder.add_edge(START, add_self_rag(builder))
    return builder.compile()


def build_graph(deps: SelfRagDeps) -> BoundGraph:
    """The Self-RAG graph on its own (the financial_docs route of Adaptive RAG)."""
    return BoundGraph(compiled_self_rag(), deps)
