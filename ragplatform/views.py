"""Process and database health probes for load balancers and orchestrators."""

from django.db import connection
from django.db.utils import DatabaseError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from ragplatform.errors import error_body
from ragplatform.schema import error_response

_STATUS = inline_serializer("Status", {"status": serializers.CharField()})


@extend_schema(responses=_STATUS, tags=["health"])
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    """The process is up and serving requests."""
    return Response({"status": "ok"})


@extend_schema(
    responses={
        200: _STATUS,
        503: error_response("The database cannot be reached (`database_unavailable`)."),
    },
    tags=["health"],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def ready(request):
    """The process can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return Response(
            error_body("database_unavailable", "The database cannot be reached."), status=503
        )
    return Response({"status": "ready"})
