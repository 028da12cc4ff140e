"""The benches' one entry: `python -m bench` lists them, `python -m bench.<name>` runs one with
its options (no sys.path edits), and `bench.database.scratch_database` drops its database,
keeps it with `keep`, and runs on a kept one with `reuse`."""

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from bench import BENCHES

ROOT = Path(__file__).resolve().parent.parent
# What each bench's docstring and the README document, beyond --help.
OPTIONS = {
    "answers": ["--filings", "--provider"],
    "filings": ["--docs", "--only", "--provider", "--keep", "--reuse", "--sweep", "directory"],
    "hostile": ["--only", "--memory-mb", "--timeout-s"],
    "ingest": ["--repeat"],
    "metadata": ["--only", "directory"],
    "page_images": ["--pages", "--width", "--keep", "--reuse", "pdf"],
    "query": ["--delay-ms", "--requests", "--concurrency", "--workers", "--threads"],
    "retrieval": ["--chunks", "--skip-scale", "--skip-quality", "--filings", "--keep", "--reuse"],
    "tables": ["--docs", "--repeat", "--rows", "--cells", "directory"],
}
SCRATCH = """
import sys

from bench.database import scratch_database
from django.conf import settings
from tenants.models import Tenant
from tenants.services import tenant_create

mode, reuse = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
with scratch_database("probe", keep=mode == "keep", reuse=reuse):
    print("running on", settings.DATABASES["default"]["NAME"])
    if mode == "reuse":
        print("tenants", *Tenant.objects.values_list("slug", flat=True))
    else:
        tenant_create(name="Kept", slug="kept")
"""


def run(*args: str) -> subprocess.CompletedProcess:
    # This suite's server, the app role and the owner.
    env = {**os.environ, "DATABASE_URL": settings.DATABASE_URL}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def databases() -> set[str]:
    with psycopg.connect(settings.DATABASE_OWNER_URL, autocommit=True) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def test_python_dash_m_bench_lists_every_bench_module():
    result = run("-m", "bench")
    assert result.returncode == 0, result.stderr
    modules = {p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_")}
    assert set(BENCHES) == modules - {"database"}
    for name in BENCHES:
        assert f"bench.{name} " in result.stdout


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_each_bench_runs_as_a_module_with_its_documented_options(name):
    result = run("-m", f"bench.{name}", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m bench.{name} ")
    for option in OPTIONS[name]:
        assert option in result.stdout
    assert "sys.path" not in (ROOT / "bench" / f"{name}.py").read_text()


def test_scratch_database_is_dropped_kept_and_reused():
    dropped = run("-c", SCRATCH, "drop")
    assert dropped.returncode == 0, dropped.stderr
    (name,) = re.findall(r"running on (\S+)", dropped.stdout)
    assert name.startswith("bench_probe_")
    assert name not in databases()

    kept = run("-c", SCRATCH, "keep")
    assert kept.returncode == 0, kept.stderr
    (name,) = re.findall(r"running on (\S+)", kept.stdout)
    try:
        assert f"Kept database {name} (--reuse it)." in kept.stdout
        reused = run("-c", SCRATCH, "reuse", name)
        assert reused.returncode == 0, reused.stderr
        assert f"running on {name}\ntenants kept\n" in reused.stdout
        assert name in databases()  # still there for another run
    finally:
        with psycopg.connect(settings.DATABASE_OWNER_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')

    missing = run("-c", SCRATCH, "reuse", "bench_probe_nowhere")
    assert missing.returncode != 0
    assert "no database 'bench_probe_nowhere' to reuse" in missing.stderr
