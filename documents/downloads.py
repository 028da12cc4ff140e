"""A document's PDF as an HTTP response, for the tenant API and the admin alike: streamed
from local storage, or a redirect to a short-lived presigned S3 URL that opens it inline
under its original filename."""

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from documents import storage
from documents.models import Document
from ragplatform.exceptions import NotFound


def pdf_response(*, document: Document) -> HttpResponse:
    """The PDF of a document the caller may read (the caller has checked the tenant)."""
    if not storage.pdf_is_local():
        url = storage.pdf_presigned_url(
            key=document.storage_key,
            filename=document.filename,
            expires=settings.DOCUMENT_FILE_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the URL expires; ask again
        return response
    try:
        handle = storage.pdf_open(key=document.storage_key)
    except OSError as exc:
        raise NotFound("The document's file is no longer stored.", code="file_missing") from exc
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=False, filename=document.filename
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
