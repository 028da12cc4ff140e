"""Log lines: JSON in production and on pipes (CloudWatch, files), readable on a terminal;
LOG_FORMAT=json|console forces one, anything else refuses to start."""

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from ragplatform.logging import default_log_format

ROOT = Path(__file__).resolve().parent.parent
# A process set up the way manage.py and wsgi.py set it up, logging one structlog event.
LOG_ONE_EVENT = """
import django
from ragplatform.startup import load_settings
load_settings()
django.setup()
import structlog
structlog.get_logger("demo").info("document.ingested", document_id=7, pages=3)
"""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_console_lines_locally_and_json_in_production():
    assert default_log_format(production=False, stream=_Terminal()) == "console"
    assert default_log_format(production=True, stream=_Terminal()) == "json"


def test_pipe_or_no_stream_gets_json():
    assert default_log_format(production=False, stream=io.StringIO()) == "json"
    assert default_log_format(production=False, stream=None) == "json"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "LOG_LEVEL"}}
    env.update(DJANGO_SETTINGS_MODULE="ragplatform.settings", **extra)
    return env


def _log_to_pipe(**extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LOG_ONE_EVENT],
        cwd=ROOT,
        env=_env(**extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _log_to_terminal(**extra: str) -> str:
    """Run with stderr on a pseudo-terminal, as `make run` in a shell does; return its output."""
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", LOG_ONE_EVENT],
            cwd=ROOT,
            env=_env(**extra),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=terminal,
        )
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(controller)
    return b"".join(chunks).decode()


def _event_line(output: str) -> str:
    (line,) = [line for line in output.splitlines() if "document.ingested" in line]
    return line


def test_logs_on_a_pipe_are_json_objects():
    result = _log_to_pipe()
    assert result.returncode == 0, result.stderr
    event = json.loads(_event_line(result.stderr))
    assert event["event"] == "document.ingested" and event["pages"] == 3


def test_logs_on_a_terminal_are_console_lines():
    line = _event_line(_log_to_terminal())
    assert not line.lstrip().startswith("{")
    assert "document.ingested" in line and "pages" in line and "\x1b[" in line  # coloured


def test_log_format_json_forces_json_on_a_terminal():
    json.loads(_event_line(_log_to_terminal(LOG_FORMAT="json")))


def test_log_format_console_forces_plain_console_lines_on_a_pipe():
    result = _log_to_pipe(LOG_FORMAT="console")
    assert result.returncode == 0, result.stderr
    line = _event_line(result.stderr)
    assert "document_id=7" in line and "pages=3" in line
    assert "\x1b[" not in line  # no colour codes in a file


@pytest.mark.parametrize("value", ["text"])
def test_unknown_log_format_refuses_to_start(value):
    result = _log_to_pipe(LOG_FORMAT=value)
    assert result.returncode != 0
    assert (
        f"ragplatform: refusing to start: LOG_FORMAT='{value}' is not valid: "
        "expected one of json, console." in result.stderr
    )
