"""PostgreSQL session advisory locks, named by a string."""

import contextlib
import zlib

from django.db import connection


@contextlib.contextmanager
def session_lock(name: str):
    """Try to take the advisory lock `name` for this connection; yields whether it was taken
    (False: another live session holds it). The server releases it if this process dies."""
    lock_id = zlib.crc32(name.encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])
