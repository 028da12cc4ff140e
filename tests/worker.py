"""Run the real `manage.py db_worker` against this pytest process's test database."""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_database_url(url: str | None = None) -> str:
    """``url`` (the app role's DATABASE_URL by default) pointed at this process's test
    database."""
    parts = urlsplit(url or settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


def test_database_env() -> dict[str, str]:
    """DATABASE_URL (the app role) and, when there is one, DATABASE_OWNER_URL (the owner, for
    per-tenant index builds), both on the test database."""
    env = {"DATABASE_URL": test_database_url()}
    if settings.DATABASE_OWNER_URL:
        env["DATABASE_OWNER_URL"] = test_database_url(settings.DATABASE_OWNER_URL)
    return env


@contextlib.contextmanager
def db_worker(data_dir: Path, **env_overrides: str):
    """A db_worker subprocess sharing the test database and media directory."""
    env = {
        **os.environ,
        **test_database_env(),
        "RAG_DATA_DIR": str(data_dir),
        "DOCUMENT_WATCHDOG_SECONDS": "2",
        **env_overrides,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(data_dir / f"worker-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def wait_until(condition, *, timeout: float, message: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message)
