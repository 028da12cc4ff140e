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
]
