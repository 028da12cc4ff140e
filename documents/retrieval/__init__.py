"""The retriever: hybrid (pgvector + full-text) search over a tenant's chunks.

- `params`: every tuning knob as one frozen value (`RetrievalParams`);
- `sql`: the statements, each filtering rows through `tenant_filter` and run by `execute`;
- `text`: the full-text leg's terms, phrases and period variants;
- `fusion`: weighted RRF and page ranking as pure functions;
- `snippets`: the line a citation shows;
- `search`: `hybrid_search`, which the agents call.
"""

from documents.retrieval.params import DEFAULT_PARAMS, RetrievalParams
from documents.retrieval.search import SearchHit, hybrid_search
from documents.retrieval.snippets import best_snippet

__all__ = ["DEFAULT_PARAMS", "RetrievalParams", "SearchHit", "best_snippet", "hybrid_search"]
