"""Where a document's PDF lives, through Django's storage API (local disk or S3)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def document_storage_key(*, tenant_id, document_id) -> str:
    """`tenants/<tenant-uuid>/documents/<doc-uuid>.pdf`, the same on disk and in S3."""
    return f"tenants/{tenant_id}/documents/{document_id}.pdf"


def pdf_save(*, key: str, data: bytes) -> str:
    """Store the bytes under key; returns the name the storage actually used."""
    return default_storage.save(key, ContentFile(data))


def pdf_read(*, key: str) -> bytes:
    with default_storage.open(key, "rb") as handle:
        return handle.read()


def pdf_delete(*, key: str) -> None:
    if key:
        default_storage.delete(key)
