from django.urls import path

from documents import apis

urlpatterns = [
    path("documents", apis.DocumentListApi.as_view(), name="documents"),
    path("documents/<uuid:document_id>", apis.DocumentDetailApi.as_view(), name="document-detail"),
    path(
        "documents/<uuid:document_id>/pages/<int:number>",
        apis.DocumentPageApi.as_view(),
        name="document-page",
    ),
    path(
        "documents/<uuid:document_id>/tables",
        apis.DocumentTablesApi.as_view(),
        name="document-tables",
    ),
    path("documents/<uuid:document_id>/file", apis.DocumentFileApi.as_view(), name="document-file"),
    path(
        "documents/<uuid:document_id>/pages/<int:number>/image",
        apis.DocumentPageImageApi.as_view(),
        name="document-page-image",
    ),
]
