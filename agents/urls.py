from django.urls import path

from agents import apis

urlpatterns = [
    path("query", apis.QueryApi.as_view(), name="query"),
]
