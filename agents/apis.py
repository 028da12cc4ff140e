"""POST /api/v1/query: ask a question of the tenant's documents."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import QueryRun
from agents.services import query_answer
from documents.models import Document
from documents.selectors import document_ids_matching
from ragplatform import inputs
from ragplatform.schema import error_response

SCOPE_FIELDS = ("document_ids", "company", "fiscal_year", "form_type")


class QueryInput(inputs.JsonInput):
    """A question, and optionally the documents it is about."""

    # Trimmed, then checked (agents.services checks the length again: the setting may change).
    question = serializers.CharField(max_length=settings.QUESTION_MAX_CHARS)
    # Optional scope, all combined: retrieval reads only the ready documents that match.
    document_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_empty=False, max_length=200
    )
    company = serializers.CharField(
        required=False, max_length=300, help_text="A part of the company's name, or its ticker."
    )
    fiscal_year = serializers.IntegerField(required=False, min_value=1900, max_value=2100)
    form_type = serializers.ChoiceField(choices=Document.FormType.choices, required=False)


class HighlightOutput(serializers.Serializer):
    page = serializers.IntegerField(help_text="Physical page, 1-based.")
    boxes = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4)
    )


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
    chunk_id = serializers.IntegerField(
        required=False,
        help_text="The passage's best chunk: pass it as `highlight` to "
        "GET /api/v1/documents/{id}/pages/{n}/image to draw it on the page.",
    )
    highlights = HighlightOutput(
        many=True,
        required=False,
        help_text="Where the snippet is drawn: per page, one box per line, [x0, y0, x1, y1] "
        "as fractions of the page's width and height, origin top-left (multiply by the "
        "rendered page's size). Empty for documents ingested before boxes were kept.",
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
    @extend_schema(
        request=QueryInput,
        responses={
            200: QueryOutput,
            400: error_response(
                "Invalid question or scope (`invalid_request`, `invalid_question`), a "
                "`document_ids` entry that is not one of the tenant's documents "
                "(`unknown_document`), or a scope no ready document matches "
                "(`no_matching_documents`)."
            ),
        },
        tags=["query"],
    )
    def post(self, request):
        """Answer a question with page citations, via the tenant's Adaptive RAG graph.
        `document_ids`, `company`, `fiscal_year` and `form_type` restrict retrieval to the
        matching ready documents (400 if none matches or an id is unknown)."""
        data = QueryInput(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = request.user.tenant
        scope = {
            name: data.validated_data[name] for name in SCOPE_FIELDS if name in data.validated_data
        }
        document_ids = document_ids_matching(tenant=tenant, **scope)
        run = query_answer(
            tenant=tenant, question=data.validated_data["question"], document_ids=document_ids
        )
        return Response(query_response(run))
