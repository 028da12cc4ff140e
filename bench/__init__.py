"""Benchmarks: not part of `make test`; each prints its figures beside a baseline.

Run one from the repository root, with its options (`--help` lists them):

    .venv/bin/python -m bench                    # this list
    .venv/bin/python -m bench.filings [DIR] [--docs N] [--only ID ...] [--keep | --reuse DB]

Those that need a database import `bench.database` first: it starts the embedded PostgreSQL
(or uses DATABASE_URL) and sets Django up, and its `scratch_database()` gives a run a database
of its own.
"""

BENCHES = (
    "answers",
    "filings",
    "hostile",
    "ingest",
    "metadata",
    "page_images",
    "query",
    "retrieval",
    "tables",
)
