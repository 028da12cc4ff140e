"""The benches' entry into Django, and a scratch database for a run.

Importing this module prepares the process as manage.py does (the embedded PostgreSQL in
.data/ unless DATABASE_URL is set) and sets Django up, so a bench imports it before any
model. Benches run from the repository root as `python -m bench.<name>` (see bench/__init__),
which is what puts the project on sys.path.
"""

import contextlib
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragplatform.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from ragplatform.startup import prepare_process

prepare_process()
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402

from ragplatform.database_roles import default_as_owner  # noqa: E402
from tenants import row_security  # noqa: E402


@contextlib.contextmanager
def scratch_database(name: str, *, keep: bool = False, reuse: str = ""):
    """Run on a fresh, migrated database `bench_<name>_<pid>`, dropped at the end; with `keep`
    it stays for a later run to `reuse` by its name, which migrates it (if needed), skips
    building it again and keeps it. Django's test-database creation does both (keepdb).

    As the suite does (tests/conftest.py): the owner creates and migrates it, the bench runs
    as the app role, which row-level security restricts, reading as operator (all tenants)."""
    if reuse and not _database_exists(reuse):
        raise SystemExit(f"error: no database {reuse!r} to reuse (a --keep run prints its name)")
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        reuse or f"bench_{name}_{os.getpid()}"
    )
    with default_as_owner():
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=bool(reuse)
        )
    if owner := settings.DATABASES.get("owner"):
        owner["NAME"] = settings.DATABASES["default"]["NAME"]
        connections["owner"].close()
    row_security.set_process_default(row_security.Scope(all_tenants=True), actor="bench")
    try:
        yield
    finally:
        row_security.set_process_default(row_security.NO_SCOPE, actor="bench")
        if keep or reuse:
            print(f"\nKept database {settings.DATABASES['default']['NAME']} (--reuse it).")
        else:
            with default_as_owner():
                connection.creation.destroy_test_db(old_name, verbosity=0)


def _database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None
