"""Answer a tenant's question: build its provider and graph, run it, record a QueryRun."""

import re
import time

import structlog
from django.conf import settings
from langgraph.errors import GraphRecursionError

from agents.adaptive_rag import AdaptiveDeps, build_graph
from agents.models import QueryRun
from agents.self_rag import recursion_limit
from agents.sql_route import FactPassage, SqlRouteDeps, row_text
from agents.state import WebResult
from agents.web_search import tavily_search
from documents.highlights import passages_highlights
from documents.selectors import documents_named_in
from providers.base import ProviderError, SovereigntyViolation
from providers.factory import provider_for
from providers.local_provider import LOCAL_LABEL
from ragplatform.exceptions import DomainError
from ragplatform.metrics import emit_query_metrics

log = structlog.get_logger(__name__)
MAX_CITATIONS = 5
_REF = re.compile(r"\[(\d+)\]")


class QuestionInvalid(DomainError):
    code = "invalid_question"


def _citations(answer: str, relevant: list, retrieved: list, highlights=None) -> list[dict]:
    """Up to MAX_CITATIONS sources, best first: the passages the answer cites by [n] (numbers
    refer to `relevant`, the passages it was written from), then the other relevant ones,
    then the rest of what retrieval found, in its order. `used` tells a reader which ones
    the answer drew on; the others are kept so one wrong grading verdict does not throw the
    evidence away. `highlights` (documents.highlights.passages_highlights for the tenant)
    adds where each document citation's snippet is drawn, and its chunk."""
    cited = []
    for match in _REF.finditer(answer):
        number = int(match.group(1))
        if 1 <= number <= len(relevant) and number not in cited:
            cited.append(number)
    used = [relevant[n - 1] for n in cited] or list(relevant)
    chosen, seen = [], set()
    for passage in [*used, *relevant, *retrieved]:
        key = _citation_key(passage)
        if key not in seen:
            seen.add(key)
            chosen.append(passage)
    used_keys = {_citation_key(p) for p in used}
    out, documents = [], []
    for passage in chosen[:MAX_CITATIONS]:
        if isinstance(passage, FactPassage) and not passage.cited:
            continue
        if isinstance(passage, WebResult):
            citation = {
                "url": passage.url,
                "title": passage.title,
                "snippet": passage.text[:300],
                "score": round(passage.score, 4),
            }
        else:
            citation = {
                "document_id": str(passage.document_id),
                "title": passage.title,
                "page": passage.page,
                "page_label": passage.page_label,
                "snippet": passage.snippet or passage.text[:300],
                "score": round(float(passage.score), 4),
                "chunk_id": passage.chunk_id,
            }
            if isinstance(passage, FactPassage):
                # A figure of the sql route: its cell's box, from the tenant's own rows.
                citation["highlights"] = passage.highlights
            else:
                documents.append((citation, passage))
        citation["used"] = _citation_key(passage) in used_keys
        out.append(citation)
    if highlights is not None and documents:
        found = highlights(
            [(p.chunk_ids or (p.chunk_id,), citation["snippet"]) for citation, p in documents]
        )
        for (citation, _), boxes in zip(documents, found, strict=True):
            citation["highlights"] = boxes
    return out


def _citation_key(passage) -> tuple:
    if isinstance(passage, WebResult):
        return ("web", passage.url)
    return (str(passage.document_id), passage.page)


class ProviderClock:
    """Wraps a chat model or embedder and adds the time spent in its calls to a total, so a
    QueryRun can tell the platform's own latency from the model provider's."""

    TIMED = frozenset({"generate", "structured", "embed_query", "embed_documents"})

    def __init__(self, inner, totals: dict[str, float]):
        self._inner, self._totals = inner, totals

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if name not in self.TIMED:
            return attr

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self._totals["ms"] += (time.perf_counter() - started) * 1000

        return timed


def _fact_passages(tenant, result) -> list[FactPassage]:
    """The sql route's rows as passages, each with where its figure is printed."""
    from documents.facts import provenance

    passages = []
    for row, where in zip(result.rows, provenance(tenant=tenant, result=result), strict=True):
        text = row_text(result.columns, row)
        if where is None:
            passages.append(FactPassage(text=text, document_id=None))
        else:
            passages.append(
                FactPassage(
                    text=text,
                    document_id=where.document_id,
                    title=where.title,
                    page=where.page,
                    page_label=where.page_label,
                    highlights=where.highlights,
                )
            )
    return passages


def _sql_deps(tenant, provider, document_ids) -> SqlRouteDeps:
    from documents.facts import run_sql
    from documents.models import Document

    companies = (
        Document.objects.for_tenant(tenant).exclude(company="").values_list("company", flat=True)
    )
    return SqlRouteDeps(
        run_sql=lambda text: run_sql(
            tenant=tenant,
            text=text,
            timeout_ms=settings.SQL_ROUTE_TIMEOUT_MS,
            document_ids=document_ids,
        ),
        passages=lambda result: _fact_passages(tenant, result),
        max_sql_attempts=tenant.max_sql_attempts,
        offline=provider.simulated,
        companies=sorted(set(companies)) if provider.simulated else [],
    )


def _deps(tenant, provider, totals: dict[str, float], document_ids=None) -> AdaptiveDeps:
    from documents.retrieval import DEFAULT_PARAMS, hybrid_search

    embedder = ProviderClock(provider.embedder, totals)
    params = DEFAULT_PARAMS.variant(**settings.RETRIEVAL_PARAMS)

    def retrieve(query: str) -> list:
        return hybrid_search(
            tenant=tenant,
            query=query,
            embedder=embedder,
            k=settings.RETRIEVAL_K,
            document_ids=document_ids,
            params=params,
        )

    return AdaptiveDeps(
        chat=ProviderClock(provider.chat, totals),
        retrieve=retrieve,
        max_retrieval_attempts=tenant.max_retrieval_attempts,
        max_generation_retries=tenant.max_generation_retries,
        enabled_routes=list(tenant.enabled_routes),
        web_search=tavily_search,
        web_search_allowed=not tenant.is_sovereign_au or tenant.allow_web_search_outside_au,
        sql=_sql_deps(tenant, provider, document_ids)
        if "sql" in tenant.enabled_routes
        else SqlRouteDeps(),
    )


def _record(run: QueryRun, provider, provider_time: dict[str, float], started: float) -> None:
    """Store the run with its cost (the calls made so far, also when it failed) and emit
    its metrics."""
    if provider is not None:
        meter = provider.meter
        run.llm_calls, run.embedding_calls = meter.chat_calls, meter.embedding_calls
        run.input_tokens, run.output_tokens = meter.input_tokens, meter.output_tokens
    run.latency_ms = (time.perf_counter() - started) * 1000
    run.provider_ms = provider_time["ms"]
    run.save()
    emit_query_metrics(
        route=run.route,
        latency_ms=run.latency_ms,
        llm_calls=run.llm_calls,
        error=run.status == QueryRun.Status.ERROR,
    )


def query_answer(
    *, tenant, question: str, source: str = QueryRun.Source.API, document_ids=None
) -> QueryRun:
    """Run the tenant's Adaptive RAG graph on ``question`` and store the run; with
    ``document_ids`` (documents.selectors.document_ids_matching), retrieval reads only those
    documents. Without them, a question that names a company of the tenant's library (and a
    period) reads that company's documents (of that period) only."""
    question = (question or "").strip()
    if not question:
        raise QuestionInvalid("Ask a question: 'question' must not be empty.")
    if len(question) > settings.QUESTION_MAX_CHARS:
        raise QuestionInvalid(
            f"The question is {len(question)} characters; the limit is "
            f"{settings.QUESTION_MAX_CHARS}."
        )
    started = time.perf_counter()
    run = QueryRun(tenant=tenant, question=question, source=source)
    provider_time = {"ms": 0.0}
    provider = None
    scope_step = []
    if document_ids is None and settings.RETRIEVAL_SCOPE_BY_QUESTION:
        scope_started = time.perf_counter()
        document_ids = documents_named_in(tenant=tenant, question=question)
        if document_ids is not None:
            scope_step = [
                {
                    "node": "scope",
                    "decision": f"{len(document_ids)} document(s) of the company and period "
                    "the question names",
                    "ms": round((time.perf_counter() - scope_started) * 1000, 2),
                }
            ]
    try:
        provider = provider_for(tenant)
        run.provider, run.model = provider.name, provider.chat.model_id
        deps = _deps(tenant, provider, provider_time, document_ids)
        try:
            state = build_graph(deps).invoke(
                {"question": question, "limits_hit": [], "trace": []},
                {"recursion_limit": recursion_limit(deps) + 2},
            )
        except GraphRecursionError:  # bounded by design; never surface it to a user
            state = {"answer": "The question could not be settled within the step limit."}
            state["limits_hit"] = ["recursion"]
        answer = state.get("answer", "")
        if provider.simulated and not answer.startswith(LOCAL_LABEL):
            answer = f"{LOCAL_LABEL} {answer}"
        run.answer = answer
        run.route = state.get("route", "")
        run.citations = _citations(
            answer,
            state.get("relevant") or [],
            state.get("passages") or [],
            highlights=lambda passages: passages_highlights(tenant=tenant, passages=passages),
        )
        run.trace = scope_step + state.get("trace", [])
        run.grounded = bool(state.get("grounded"))
        run.limits_hit = sorted(set(state.get("limits_hit") or []))
    except (ProviderError, SovereigntyViolation) as exc:
        run.status, run.error = QueryRun.Status.ERROR, exc.message
        _record(run, provider, provider_time, started)
        log.warning("query.failed", query_id=str(run.id), code=exc.code, error=exc.message)
        raise
    _record(run, provider, provider_time, started)
    log.info(
        "query.answered",
        query_id=str(run.id),
        route=run.route,
        llm_calls=run.llm_calls,
        grounded=run.grounded,
        limits_hit=run.limits_hit,
        scoped_documents=None if document_ids is None else len(document_ids),
        ms=round(run.latency_ms, 1),
    )
    return run
