"""Operator screens: query runs (readable traces) and a playground to ask as any tenant."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join

from agents.models import QueryRun
from agents.services import query_answer
from documents.admin import document_viewer_response
from documents.models import Document
from ragplatform.exceptions import DomainError
from tenants.models import Tenant
from tenants.row_security import tenant_scope


def citation_url(citation: dict, *, run_id=None, number: int | None = None) -> str | None:
    """Where an operator checks a citation: the PDF viewer at the cited page with the passage
    highlighted (for a stored run), else the page's extracted text; a web result's URL."""
    if citation.get("url"):
        return citation["url"]
    document_id, page = citation.get("document_id"), citation.get("page")
    if not document_id:
        return None
    try:
        if run_id is not None and number is not None:
            return reverse("admin:agents_queryrun_citation", args=[run_id, number])
        return reverse("admin:documents_document_page", args=[document_id, page])
    except NoReverseMatch:
        try:
            return reverse("admin:documents_document_change", args=[document_id])
        except NoReverseMatch:
            return None


class PlaygroundForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.filter(is_active=True))
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


@admin.register(QueryRun)
class QueryRunAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "tenant",
        "short_question",
        "route",
        "grounded",
        "llm_calls",
        "latency",
        "status",
        "source",
    ]
    list_filter = ["tenant", "route", "status", "grounded", "source"]
    search_fields = ["question", "answer"]
    date_hierarchy = "created_at"

    class Media:
        css = {"all": ["agents/admin.css"]}

    fields = [
        "tenant",
        "created_at",
        "source",
        "status",
        "error",
        "question",
        "answer",
        "citation_list",
        "trace_table",
        "route",
        "grounded",
        "limits_hit",
        "provider",
        "model",
        "latency_ms",
        "provider_ms",
        "llm_calls",
        "embedding_calls",
        "input_tokens",
        "output_tokens",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Question")
    def short_question(self, obj):
        return obj.question[:80]

    @admin.display(description="Latency")
    def latency(self, obj):
        return f"{obj.latency_ms:.0f} ms"

    @admin.display(description="Citations")
    def citation_list(self, obj):
        return render_citations(obj.citations, run_id=obj.pk)

    @admin.display(description="Trace")
    def trace_table(self, obj):
        return render_trace(obj.trace)

    def get_urls(self):
        return [
            path(
                "playground/",
                self.admin_site.admin_view(self.playground_view),
                name="agents_playground",
            ),
            path(
                "<uuid:run_id>/citations/<int:number>/",
                self.admin_site.admin_view(self.citation_view),
                name="agents_queryrun_citation",
            ),
            *super().get_urls(),
        ]

    def citation_view(self, request, run_id, number):
        """Citation [number] of a run in the PDF viewer, at its page, its lines highlighted."""
        run = QueryRun.objects.filter(pk=run_id).first()
        if run is None or not 1 <= number <= len(run.citations):
            raise Http404("No such citation.")
        citation = run.citations[number - 1]
        if citation.get("url"):
            return redirect(citation["url"])
        document = (
            Document.objects.for_tenant(run.tenant).filter(pk=citation.get("document_id")).first()
        )
        if document is None:
            messages.error(request, "The cited document has been deleted since.")
            return redirect(reverse("admin:agents_queryrun_change", args=[run.pk]))
        return document_viewer_response(
            request,
            admin_site=self.admin_site,
            document=document,
            page=citation.get("page") or 1,
            highlights=citation.get("highlights") or [],
            run=run,
            citation_number=number,
            snippet=citation.get("snippet", ""),
        )

    def playground_view(self, request):
        form = PlaygroundForm(request.POST or None)
        run = None
        if request.method == "POST" and form.is_valid():
            tenant = form.cleaned_data["tenant"]
            try:
                # Asked as the tenant: the database shows the run only that tenant's rows.
                with tenant_scope(tenant):
                    run = query_answer(
                        tenant=tenant,
                        question=form.cleaned_data["question"],
                        source=QueryRun.Source.PLAYGROUND,
                    )
            except DomainError as exc:
                messages.error(request, f"{exc.code}: {exc.message}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Question playground",
            "form": form,
            "run": run,
            "citations": render_citations(run.citations, run_id=run.pk) if run else "",
            "trace": render_trace(run.trace) if run else "",
            "run_json": json.dumps(
                {"answer": run.answer, "route": run.route, "limits_hit": run.limits_hit},
                indent=2,
            )
            if run
            else "",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/agents/playground.html", context)


def render_citations(citations: list[dict], *, run_id=None):
    if not citations:
        return "—"
    rows = []
    for number, citation in enumerate(citations, start=1):
        url = citation_url(citation, run_id=run_id, number=number)
        where = citation.get("url") or f"p. {citation.get('page_label') or citation.get('page')}"
        label = f"[{number}] {citation.get('title', '')}, {where}"
        link = format_html('<a href="{}" class="citation">{}</a>', url, label) if url else label
        rows.append((link, citation.get("snippet", "")))
    return format_html(
        "<ol class='citations'>{}</ol>",
        format_html_join("", "<li>{}<br><small>{}</small></li>", rows),
    )


def render_trace(trace: list[dict]):
    if not trace:
        return "—"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td class='trace-ms'>{}</td></tr>",
        ((step["node"], step.get("decision", ""), f"{step.get('ms', 0):.1f} ms") for step in trace),
    )
    return format_html(
        "<table class='trace'><thead><tr><th>Node</th><th>Decision</th><th>Time</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        rows,
    )
