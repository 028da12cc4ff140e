"""The child process that runs pdfium for the worker and the web app (documents/bounded_parsing.py
starts it and sets its limits).

It imports no Django and holds no database connection or secret: it reads requests from the
pipe it was given, parses, and writes the results back, one request at a time, under an
address-space limit set before the first request and a CPU-time backstop per request (the
parent enforces the wall-time limit, and kills it). A MemoryError ends the process with
EXIT_OUT_OF_MEMORY; pdfium itself aborts when an allocation fails, which the parent reads
from the exit status.
"""

import contextlib
import faulthandler
import json
import os
import pickle
import resource
import sys
import traceback
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

from documents.parsing import ParsedPage, PdfRejected, extract_pages, find_boilerplate, inspect_pdf
from documents.tables import ExtractedTable, document_tables

# The exit status of a child that ran out of memory in Python (not in pdfium).
EXIT_OUT_OF_MEMORY = 3
# CPU seconds a request may use beyond its wall-time limit, should the parent be gone.
CPU_BACKSTOP_MARGIN_S = 5


@dataclass(frozen=True)
class ParsedDocument:
    """What ingestion keeps of a parse: the pages (without the table words, which only
    document_tables reads), the running headers and footers, and the tables."""

    pages: list[ParsedPage]
    boilerplate: list[str]
    tables: list[ExtractedTable]


def parse_document(data: bytes) -> ParsedDocument:
    """extract_pages, find_boilerplate and document_tables over one PDF, as picklable results."""
    pages = list(extract_pages(data))
    boilerplate = find_boilerplate([page.text for page in pages])
    tables = document_tables(pages, boilerplate=boilerplate)
    return ParsedDocument(
        pages=[replace(page, words=(), frame=None) for page in pages],
        boilerplate=boilerplate,
        tables=tables,
    )


def _inspect(data: bytes, *, filename: str, max_pages: int):
    return inspect_pdf(data, filename=filename, max_pages=max_pages)


REQUESTS = {"inspect": _inspect, "parse": parse_document}


def peak_rss_kb(pid: int | str = "self") -> int:
    """A process's peak resident memory (KB) since it started its program (VmHWM), 0 if it
    is gone. Not ru_maxrss: Linux carries that over from the parent across exec."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _reset_peak_rss() -> None:
    """Start peak_rss_kb() again from the memory held now, so it is this request's peak."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _answer(request: tuple, data: bytes) -> tuple:
    kind, arguments, cpu_seconds = request
    _reset_peak_rss()
    used = resource.getrusage(resource.RUSAGE_SELF)
    # A runaway parse ends even if the parent that would kill it is gone (SIGXCPU).
    soft = int(used.ru_utime + used.ru_stime + cpu_seconds + CPU_BACKSTOP_MARGIN_S)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
    try:
        return ("ok", REQUESTS[kind](data, **arguments))
    except PdfRejected as exc:
        return ("rejected", exc.code, exc.message)
    except MemoryError:
        raise
    except Exception as exc:
        return ("error", f"{type(exc).__name__}: {exc}"[:500], traceback.format_exc())


def serve(connection: Connection) -> None:
    """Answer requests until the parent closes the pipe."""
    connection.send_bytes(pickle.dumps(("ready", peak_rss_kb())))
    while True:
        try:
            request = json.loads(connection.recv_bytes())
            data = connection.recv_bytes()
            reply = pickle.dumps((*_answer(request, data), peak_rss_kb()), protocol=5)
        except EOFError:
            return
        except MemoryError:
            os._exit(EXIT_OUT_OF_MEMORY)
        del data
        connection.send_bytes(reply)


def main() -> None:
    """`python -c "from documents.parse_child import main; main()" FD MEMORY_MB`."""
    fd, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    # A crash in pdfium prints the Python stack to stderr, which the parent logs with it.
    faulthandler.enable()
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    serve(Connection(fd))
