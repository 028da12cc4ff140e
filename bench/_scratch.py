"""A scratch database on the configured server for a benchmark run (dropped afterwards)."""

import contextlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragplatform.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

from ragplatform.startup import prepare_process

prepare_process()  # the embedded database in .data/ unless DATABASE_URL is set
django.setup()

from django.db import connection  # noqa: E402


@contextlib.contextmanager
def scratch_database(name: str, *, keep: bool = False, reuse: str = ""):
    """Create, migrate and finally drop a database called `bench_<name>_<pid>`; with `keep`,
    leave it for a later run to `reuse` (by its name) instead of building it again."""
    from django.conf import settings

    if reuse:
        settings.DATABASES["default"]["NAME"] = reuse
        connection.close()
        yield
        return
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"bench_{name}_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        if keep:
            print(f"\nKept database {settings.DATABASES['default']['NAME']} (--reuse it).")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
