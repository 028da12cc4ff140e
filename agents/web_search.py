"""Web search through Tavily (langchain-tavily). Not available to AU tenants without consent."""

from django.conf import settings

from agents.state import WebResult
from providers.base import ProviderError


class WebSearchUnavailable(Exception):
    """No Tavily key is configured on this platform."""


def tavily_search(question: str, *, max_results: int = 5) -> list[WebResult]:
    """Search the web for ``question``; raises WebSearchUnavailable when not configured."""
    if not settings.TAVILY_API_KEY:
        raise WebSearchUnavailable("Web search is not configured (TAVILY_API_KEY is not set).")
    from langchain_tavily import TavilySearch
    from langchain_tavily._utilities import TavilySearchAPIWrapper

    wrapper = TavilySearchAPIWrapper(
        tavily_api_key=settings.TAVILY_API_KEY,
        api_base_url=settings.TAVILY_BASE_URL or None,
    )
    tool = TavilySearch(max_results=max_results, api_wrapper=wrapper)
    try:
        raw = tool.invoke({"query": question})
    except Exception as exc:  # the tool wraps HTTP failures in assorted exception types
        raise ProviderError(f"Web search failed: {exc}") from exc
    if isinstance(raw, str) or "results" not in raw:
        raise ProviderError(f"Web search failed: {raw}")
    return [
        WebResult(
            title=item.get("title") or item.get("url", ""),
            url=item.get("url", ""),
            text=(item.get("content") or "")[:2000],
            score=float(item.get("score") or 0.0),
        )
        for item in raw["results"]
    ]
