"""Where a document's PDF lives, through Django's storage API (local disk or S3)."""

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.http import content_disposition_header


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


def pdf_open(*, key: str):
    """The stored file, open for reading (the caller closes it, e.g. a FileResponse)."""
    return default_storage.open(key, "rb")


def pdf_is_local() -> bool:
    """Whether files are on this machine's disk (streamed) rather than in S3 (presigned)."""
    return isinstance(default_storage, FileSystemStorage)


def pdf_presigned_url(*, key: str, filename: str, expires: int) -> str:
    """A short-lived S3 URL for the file that opens inline under its original filename."""
    return default_storage.url(
        key,
        parameters={
            "ResponseContentType": "application/pdf",
            "ResponseContentDisposition": content_disposition_header(False, filename),
        },
        expire=expires,
    )
