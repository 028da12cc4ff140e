"""Embedded PostgreSQL (with pgvector) for local runs and tests, via pgserver.

Started by the entry points (ragplatform.startup) when no DATABASE_URL is configured, never
by importing the settings. The server keeps its data under the project (``.data/pg``) and
stops when the last process that started it exits.
"""

from pathlib import Path

EMBEDDED_DATABASE = "postgres"


def start(pgdata: Path) -> str:
    """Start (or attach to) the embedded server and return a libpq URI for it."""
    import logging
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import pgserver

    # pgserver logs every step at INFO on the root logger; keep start-up quiet.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server.get_uri(EMBEDDED_DATABASE)
