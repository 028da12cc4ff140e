from django.urls import path

from documents import apis

urlpatterns = [
    path("documents", apis.DocumentListApi.as_view(), name="documents"),
]
