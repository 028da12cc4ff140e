"""POST /api/v1/query: ask a question of the tenant's documents."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import QueryRun
from agents.services import query_answer


class QueryInput(serializers.Serializer):
    question = serializers.CharField(allow_blank=True, trim_whitespace=True)


class CitationOutput(serializers.Serializer):
    document_id = serializers.CharField(required=False)
    url = serializers.CharField(required=False)
    title = serializers.CharField()
    page = serializers.IntegerField(required=False)
    page_label = serializers.CharField(required=False)
    snippet = serializers.CharField()
    score = serializers.FloatField()
    used = serializers.BooleanField(
        required=False,
        help_text="The answer drew on this passage (it cites it, or it was graded relevant); "
        "the others are the next best passages retrieval found.",
    )


class TraceStepOutput(serializers.Serializer):
    node = serializers.CharField()
    decision = serializers.CharField()
    ms = serializers.FloatField()


class QueryOutput(serializers.ModelSerializer):
    citations = CitationOutput(many=True)
    trace = TraceStepOutput(many=True)
    limits_hit = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = QueryRun
        fields = [
            "id",
            "answer",
            "route",
            "citations",
            "grounded",
            "limits_hit",
            "trace",
            "provider",
            "model",
        ]


RESPONSE_FIELDS = tuple(QueryOutput.Meta.fields)


def query_response(run: QueryRun) -> dict:
    """QueryOutput's JSON for a run, built directly: the serializer (kept for the OpenAPI
    schema; a test holds the two equal) costs more per request than the rest of the view.
    Citations and the trace are stored as plain JSON already."""
    body = {name: getattr(run, name) for name in RESPONSE_FIELDS}
    body["id"] = str(run.id)
    return body


class QueryApi(APIView):
    @extend_schema(request=QueryInput, responses=QueryOutput, tags=["query"])
    def post(self, request):
        """Answer a question with page citations, via the tenant's Adaptive RAG graph."""
        data = QueryInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = query_answer(tenant=request.user.tenant, question=data.validated_data["question"])
        return Response(query_response(run))
