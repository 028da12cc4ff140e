"""Importing ragplatform.settings only reads: no process, no socket, no write to os.environ.

Each test imports the settings in a fresh interpreter with a clean environment, after making
every way to start a process or open a connection raise, and reports what it saw as JSON.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, os, socket, subprocess, sys

def refuse(*args, **kwargs):
    raise RuntimeError("side effect at settings import")

socket.socket.connect = socket.socket.connect_ex = refuse
socket.socket.bind = socket.socket.sendto = refuse
subprocess.Popen.__init__ = refuse
os.fork = os.forkpty = os.posix_spawn = os.posix_spawnp = os.system = refuse
os.execv = os.execve = refuse
before = dict(os.environ)
report = {}
try:
    import ragplatform.settings as settings
except Exception as exc:
    report["error"] = f"{type(exc).__name__}: {exc}"
else:
    report["databases"] = settings.DATABASES
    report["admin_api_key"] = settings.ADMIN_API_KEY
report["environ_changed"] = sorted(
    k for k in {*before, *os.environ} if before.get(k) != os.environ.get(k)
)
report["modules"] = sorted({"pgserver", "boto3", "psycopg"} & set(sys.modules))
print(json.dumps(report))
"""


def _import_settings(tmp_path: Path, **env: str) -> dict:
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "RAG_DATA_DIR": str(tmp_path / "data"),
        "RAG_ENV_FILE": str(tmp_path / ".env"),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_importing_settings_without_database_url_starts_no_database(tmp_path):
    report = _import_settings(tmp_path)

    assert "error" not in report, report["error"]
    assert report["databases"] == {}  # the entry points fill DATABASE_URL in first
    assert report["environ_changed"] == []
    assert report["modules"] == []
    assert not (tmp_path / "data").exists()  # no embedded server, not even its directory


def test_importing_settings_reads_env_file_without_exporting_it(tmp_path):
    """`.env` values reach the settings but not os.environ, so no child process inherits them."""
    (tmp_path / ".env").write_text("ADMIN_API_KEY=from-env-file\nSECRET_KEY=from-env-file\n")

    report = _import_settings(tmp_path, DATABASE_URL="postgres://u@127.0.0.1:9/db")

    assert report["admin_api_key"] == "from-env-file"
    assert report["environ_changed"] == []
    assert report["databases"]["default"]["HOST"] == "127.0.0.1"


def test_importing_production_settings_fetches_no_secrets_and_refuses_without_them(tmp_path):
    """The secrets are loaded by the entry points; imported any other way, settings refuse."""
    report = _import_settings(tmp_path, RAG_ENV="production", AWS_REGION="ap-southeast-2")

    assert report["error"].startswith("ImproperlyConfigured: RAG_ENV=production but ")
    for name in ("OPENAI_API_KEY", "DATABASE_URL", "ADMIN_API_KEY", "SECRET_KEY"):
        assert name in report["error"]
    assert report["modules"] == []  # no boto3: nothing asked Secrets Manager
    assert report["environ_changed"] == []


def test_importing_production_settings_with_secrets_in_the_environment_touches_nothing(tmp_path):
    secrets = {
        "OPENAI_API_KEY": "sk-test",
        "DATABASE_URL": "postgres://u:p@db.internal:5432/rag",
        "ADMIN_API_KEY": "admin-secret",
        "SECRET_KEY": "django-secret",
    }
    report = _import_settings(tmp_path, RAG_ENV="production", **secrets)

    assert "error" not in report, report["error"]
    assert report["databases"]["default"]["HOST"] == "db.internal"
    assert report["modules"] == []
    assert report["environ_changed"] == []
