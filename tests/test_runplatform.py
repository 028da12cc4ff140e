"""`make run`'s command end to end: fresh data dir → admin login and health → clean stop."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1
                return response.status
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def _start(tmp_path: Path, port: int) -> subprocess.Popen:
    unset = {"DATABASE_URL", "DATABASE_OWNER_URL", "ADMIN_API_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(RAG_DATA_DIR=str(tmp_path / "data"), RAG_ENV_FILE=str(tmp_path / ".env"))
    return subprocess.Popen(
        [sys.executable, "manage.py", "runplatform", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's Ctrl-C target
    )


def _ctrl_c(proc: subprocess.Popen) -> str:
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return out


@pytest.mark.timeout(240)
def test_runplatform_serves_admin_and_health_then_stops_cleanly(tmp_path):
    port = _free_port()
    proc = _start(tmp_path, port)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/api/v1/health", timeout=120) == 200
        assert _wait_for(f"http://127.0.0.1:{port}/admin/login/", timeout=10) == 200
    finally:
        out = _ctrl_c(proc)
    assert proc.returncode == 0, out
    assert "Created superuser 'admin'" in out
    assert re.search(r"acme: API key \(shown once, copy it\): rag_\w{12}_", out)
    assert re.search(r"ea: API key \(shown once, copy it\): rag_\w{12}_", out)
    assert "Stopped." in out
    env_file = (tmp_path / ".env").read_text()
    assert "ADMIN_API_KEY=" in env_file and "RAG_ADMIN_PASSWORD=" in env_file
    # The embedded server stopped with the platform: no postmaster left for this data dir.
    pgdata = tmp_path / "data" / "pg"
    deadline = time.monotonic() + 20
    while (pgdata / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not (pgdata / "postmaster.pid").exists()

    # A second run reuses the data: same superuser, keys not re-issued, same .env.
    proc = _start(tmp_path, port)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/api/v1/health", timeout=120) == 200
    finally:
        out = _ctrl_c(proc)
    assert proc.returncode == 0, out
    assert "Superuser 'admin' exists." in out
    assert "API key already issued" in out
    assert (tmp_path / ".env").read_text() == env_file
