"""pdfium in a child process, bounded in time and memory, so a hostile PDF fails by itself.

The upload check (parsing.inspect_pdf) and the ingestion parse (parse_child.parse_document)
run in a child (documents/parse_child.py): a fresh interpreter that imports no Django and gets
no secret in its environment and no open database connection, with an address-space limit
of PDF_INSPECT_MEMORY_MB or PDF_PARSE_MEMORY_MB. The parent waits PDF_INSPECT_TIMEOUT_S or
PDF_PARSE_TIMEOUT_S and then kills it; at most PDF_PARSE_CONCURRENCY children work at once
per process. A child that is killed, dies (pdfium aborts when an allocation fails; a
segfault) or runs out of memory becomes a PdfRejected with its own code, and the next call
gets a new child; the calling process carries on. A child that answered is kept for the
next call (starting one takes a fraction of a second, a call to a running one about a
millisecond more than the parse) unless its peak memory passed half the limit. What a child
sends back is unpickled with an allowlist of the result classes, so a child subverted by a
crafted PDF cannot run code in this process.
"""

import atexit
import contextlib
import io
import json
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import structlog
from django.conf import settings

from documents.parse_child import EXIT_OUT_OF_MEMORY, ParsedDocument, peak_rss_kb
from documents.parsing import PdfInfo, PdfRejected

log = structlog.get_logger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CHILD_COMMAND = "from documents.parse_child import main; main()"
# The child's environment: what Python and pdfium need, nothing secret.
CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "TMPDIR")
# A child that does not start within this long is a fault of this machine, not of the file.
START_TIMEOUT_S = 60.0
# How often a waiting parent reads the child's peak memory (for the log if it dies).
SAMPLE_INTERVAL_S = 0.1
# How much of a dead child's stderr goes into the log.
STDERR_TAIL_BYTES = 4000
# How long a child that closed its pipe (or was asked to exit) has to end by itself.
EXIT_WAIT_S = 5.0
# How a child that ran out of memory ends: MemoryError in Python; pdfium and the C++
# runtime abort() when an allocation fails (RLIMIT_AS); the kernel's OOM killer sends SIGKILL
# (the parent's own SIGKILL is a timeout, told apart before this is read).
OUT_OF_MEMORY_EXITS = frozenset({EXIT_OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGKILL})
# Idle children kept per process, for the next call (one for each memory limit in use).
IDLE_CHILDREN = 2

# What a child may send back: the result classes and the types inside them.
_ALLOWED_CLASSES = {
    ("documents.parsing", "PdfInfo"),
    ("documents.parsing", "ParsedPage"),
    ("documents.parse_child", "ParsedDocument"),
    ("documents.tables", "ExtractedTable"),
    ("documents.tables", "Column"),
    ("documents.tables", "Cell"),
    ("decimal", "Decimal"),
    ("datetime", "date"),
}


class _ResultUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_CLASSES:
            raise pickle.UnpicklingError(f"the parse child sent a {module}.{name}")
        return super().find_class(module, name)


def _loads(payload: bytes):
    return _ResultUnpickler(io.BytesIO(payload)).load()


class _ChildDied(Exception):
    def __init__(self, returncode: int, peak_rss_kb: int, stderr: str):
        super().__init__(returncode)
        self.returncode, self.peak_rss_kb, self.stderr = returncode, peak_rss_kb, stderr


class _BadAnswer(Exception):
    """The child sent what it never sends: a class outside the allowlist, too many bytes."""


class _Child:
    """One parse child: a process and the parent's end of its pipe."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        self.peak_rss_kb = 0  # the most the child has held, as last seen
        ours, theirs = multiprocessing.Pipe()
        env = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
        # What the child prints (faulthandler's stack when pdfium crashes) goes to the log
        # with its death, as one event, not as lines of its own.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        started = time.monotonic()
        try:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [sys.executable, "-c", CHILD_COMMAND, str(theirs.fileno()), str(memory_mb)],
                pass_fds=(theirs.fileno(),),
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self.stderr,
            )
        finally:
            theirs.close()
        self.connection = ours
        try:
            self._receive(START_TIMEOUT_S)
        except (TimeoutError, _ChildDied, _BadAnswer) as exc:
            self.close()
            raise RuntimeError(f"the PDF parse child did not start ({exc!r})") from exc
        self.start_seconds = time.monotonic() - started
        log.debug("pdf_child.started", pid=self.process.pid, seconds=round(self.start_seconds, 3))

    def call(self, kind: str, arguments: dict, data: bytes, timeout: float) -> tuple:
        """The child's answer: ("ok", result), ("rejected", code, message) or ("error",
        summary, traceback). Raises TimeoutError (the child is killed) or _ChildDied."""
        try:
            self.connection.send_bytes(json.dumps([kind, arguments, timeout]).encode())
            self.connection.send_bytes(data)
        except OSError:
            raise self._died() from None
        return self._receive(timeout)

    def _receive(self, timeout: float) -> tuple:
        deadline = time.monotonic() + timeout
        # Wait in short slices, noting the child's peak memory for the diagnosis if it dies.
        while not self.connection.poll(min(SAMPLE_INTERVAL_S, max(deadline - time.monotonic(), 0))):
            self.peak_rss_kb = max(self.peak_rss_kb, peak_rss_kb(self.process.pid))
            if time.monotonic() >= deadline:
                self._stop(kill=True)
                raise TimeoutError(timeout)
        try:
            payload = self.connection.recv_bytes(maxlength=self.memory_mb * 1024 * 1024)
        except EOFError:
            raise self._died() from None
        except OSError as exc:
            if self.process.poll() is not None:
                raise self._died() from None
            self._stop(kill=True)
            raise _BadAnswer(f"an answer longer than the memory limit ({exc})") from None
        try:
            *answer, self.peak_rss_kb = _loads(payload)
        except (pickle.UnpicklingError, ValueError, TypeError) as exc:
            self._stop(kill=True)
            raise _BadAnswer(str(exc)) from None
        return tuple(answer)

    def _died(self) -> _ChildDied:
        returncode = self._stop(kill=False)
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - STDERR_TAIL_BYTES))
        tail = self.stderr.read().decode(errors="replace")
        return _ChildDied(returncode, self.peak_rss_kb, tail)

    def _stop(self, *, kill: bool) -> int:
        """The child's exit status, once it has ended: killed at once with `kill`, else
        given a moment to finish dying."""
        self.connection.close()
        if kill and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        try:
            return self.process.wait(timeout=None if kill else EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            return self._stop(kill=True)

    def close(self) -> None:
        """Let the child exit by closing its pipe (it is killed if it does not)."""
        self.connection.close()
        try:
            self.process.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            self._stop(kill=True)
        self.stderr.close()

    @property
    def reusable(self) -> bool:
        return self.process.returncode is None and self.peak_rss_kb < self.memory_mb * 1024 / 2


_idle: list[_Child] = []
_idle_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] = (0, threading.BoundedSemaphore(1))


def _working_slots() -> threading.BoundedSemaphore:
    """PDF_PARSE_CONCURRENCY slots (made again if the setting changed, as tests do)."""
    global _slots
    size = settings.PDF_PARSE_CONCURRENCY
    with _idle_lock:
        if _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


def _checkout(memory_mb: int) -> _Child:
    """An idle child with this memory limit, else a new one."""
    found, gone = None, []
    with _idle_lock:
        for child in list(_idle):
            if child.process.poll() is not None:
                _idle.remove(child)
                gone.append(child)
            elif found is None and child.memory_mb == memory_mb:
                _idle.remove(child)
                found = child
    for child in gone:
        child.close()
    return found or _Child(memory_mb)


def _checkin(child: _Child) -> None:
    """Keep the child for the next call, one per memory limit, the newest IDLE_CHILDREN."""
    if not child.reusable:
        child.close()
        return
    with _idle_lock:
        evicted = [idle for idle in _idle if idle.memory_mb == child.memory_mb]
        _idle[:] = [idle for idle in _idle if idle.memory_mb != child.memory_mb]
        _idle.append(child)
        while len(_idle) > IDLE_CHILDREN:
            evicted.append(_idle.pop(0))
    for idle in evicted:
        idle.close()


@atexit.register
def close_idle() -> None:
    """End the idle children (they also end by themselves when this process exits)."""
    with _idle_lock:
        children, _idle[:] = list(_idle), []
    for child in children:
        child.close()


def _run(kind: str, data: bytes, arguments: dict, *, timeout: float, memory_mb: int, what: str):
    with _working_slots():
        child = _checkout(memory_mb)
        started = time.monotonic()
        try:
            answer = child.call(kind, arguments, data, timeout)
        except (TimeoutError, _ChildDied, _BadAnswer) as exc:
            child.close()
            raise _rejection(exc, kind=kind, memory_mb=memory_mb, what=what) from None
        except BaseException:
            child.close()
            raise
    log.debug(
        "pdf_child.answered",
        kind=kind,
        outcome=answer[0],
        seconds=round(time.monotonic() - started, 3),
        peak_rss_mb=child.peak_rss_kb // 1024,
    )
    _checkin(child)
    outcome, *rest = answer
    if outcome == "ok":
        return rest[0]
    if outcome == "rejected":
        code, message = rest
        raise PdfRejected(message, code=code)
    summary, child_traceback = rest
    log.error("pdf_child.parse_error", kind=kind, error=summary, traceback=child_traceback)
    raise PdfRejected(
        f"The PDF could not be read: the parser stopped on an error ({summary.split(':')[0]}).",
        code="parse_error",
    )


def _rejection(exc: Exception, *, kind: str, memory_mb: int, what: str) -> PdfRejected:
    """What the uploader is told when the child did not answer, and the log line."""
    if isinstance(exc, TimeoutError):
        (seconds,) = exc.args
        log.warning("pdf_child.timeout", kind=kind, seconds=seconds)
        return PdfRejected(
            f"Reading the PDF took longer than the {seconds:g} s allowed for {what}; it is "
            "too complex or malformed to process.",
            code="parse_timeout",
        )
    if isinstance(exc, _BadAnswer):
        # Only a child subverted by the file (or a bug here) sends this; it is gone now.
        log.error("pdf_child.bad_answer", kind=kind, error=str(exc))
        return PdfRejected(
            "The PDF made the parser misbehave; it cannot be processed.", code="parse_crashed"
        )
    assert isinstance(exc, _ChildDied)
    returncode = exc.returncode
    out_of_memory = returncode in OUT_OF_MEMORY_EXITS
    log.warning(
        "pdf_child.died",
        kind=kind,
        returncode=returncode,
        peak_rss_mb=exc.peak_rss_kb // 1024,
        out_of_memory=out_of_memory,
        stderr=exc.stderr,
    )
    if out_of_memory:
        return PdfRejected(
            f"Reading the PDF needed more than the {memory_mb} MB of memory allowed; it is "
            "too large once unpacked, or malformed (a decompression bomb?).",
            code="parse_memory",
        )
    how = f"signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
    return PdfRejected(
        f"The PDF crashed the parser ({how}); it is malformed and cannot be processed.",
        code="parse_crashed",
    )


def inspect_pdf(data: bytes, *, filename: str, max_pages: int) -> PdfInfo:
    """parsing.inspect_pdf in a child, within PDF_INSPECT_TIMEOUT_S and PDF_INSPECT_MEMORY_MB."""
    return _run(
        "inspect",
        data,
        {"filename": filename, "max_pages": max_pages},
        timeout=settings.PDF_INSPECT_TIMEOUT_S,
        memory_mb=settings.PDF_INSPECT_MEMORY_MB,
        what="the upload check",
    )


def parse_pdf(data: bytes) -> ParsedDocument:
    """parse_child.parse_document (pages, running headers, tables) in a child, within
    PDF_PARSE_TIMEOUT_S and PDF_PARSE_MEMORY_MB."""
    return _run(
        "parse",
        data,
        {},
        timeout=settings.PDF_PARSE_TIMEOUT_S,
        memory_mb=settings.PDF_PARSE_MEMORY_MB,
        what="parsing",
    )
