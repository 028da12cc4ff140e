"""Property tests (hypothesis): random sequences of two tenants' API calls — upload (then the
ingestion task), list, get, page, delete, query — and B never sees, cites or deletes
anything of A's, nor A of B's.

Each sequence runs on the app role with no default scope (as the web app and the worker do):
the API sets the key's tenant, the task its document's; the model of what each tenant owns is
checked on the operator path. Each sequence is rolled back, so sequences do not share rows.
"""

import functools

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.models import Document
from documents.tasks import ingest_document
from tenants import row_security
from tenants.row_security import all_tenants_scope
from tests.data.pdf_factory import make_pdf

pytestmark = pytest.mark.django_db

TENANTS = ("a", "b")
# Each tenant's filing says a figure only it has; "shared" is the same bytes for both (the
# same upload by two tenants must stay two documents).
FIGURES = {"a": "417.3 million", "b": "862.9 million", "shared": "555.5 million"}


@functools.cache
def pdf(kind: str) -> bytes:
    lines = [
        f"# Quartzline {kind} annual report",
        f"Quartzline total revenue for the year was A${FIGURES[kind]}.",
        "The directors declared a final dividend and discussed cash flow and employees.",
    ]
    return make_pdf([lines, [f"Operations review for {kind}: spodumene and copper revenue."]])


QUESTIONS = ("What was Quartzline total revenue?", "What dividend did the directors declare?")

actor = st.sampled_from(TENANTS)
# A target is a position among the documents uploaded so far, by either tenant.
target = st.integers(min_value=0, max_value=7)
call = st.one_of(
    st.tuples(st.just("upload"), actor, st.sampled_from(["own", "shared"])),
    st.tuples(st.just("list"), actor),
    st.tuples(st.just("get"), actor, target),
    st.tuples(st.just("page"), actor, target),
    st.tuples(st.just("delete"), actor, target),
    st.tuples(st.just("query"), actor, st.sampled_from(QUESTIONS)),
)


class Run:
    """One sequence: the calls, and what each tenant owns according to the API's answers."""

    def __init__(self, clients: dict, tenants: dict):
        self.clients, self.tenants = clients, tenants
        self.uploaded: list[str] = []  # every document id, in upload order
        self.owner: dict[str, str] = {}  # live document id -> tenant
        self.figures: dict[str, set[str]] = {name: set() for name in TENANTS}

    def owned(self, name: str) -> set[str]:
        return {doc for doc, owner in self.owner.items() if owner == name}

    def pick(self, index: int) -> str | None:
        return self.uploaded[index % len(self.uploaded)] if self.uploaded else None

    def upload(self, name: str, kind: str) -> None:
        kind = name if kind == "own" else "shared"
        response = self.clients[name].post(
            "/api/v1/documents",
            {"files": [_file(f"{kind}.pdf", pdf(kind))]},
            format="multipart",
        )
        assert response.status_code == 202, response.content
        (document,) = response.json()["documents"]
        doc = document["id"]
        # A tenant's upload is its own document, never the other's of the same bytes.
        assert self.owner.get(doc, name) == name
        self.owner[doc] = name
        self.uploaded.append(doc)
        self.figures[name].add(FIGURES[kind])
        ingest_document.call(document_id=doc, tenant_id=str(self.tenants[name].pk))

    def list(self, name: str) -> None:
        response = self.clients[name].get("/api/v1/documents")
        assert response.status_code == 200
        assert {d["id"] for d in response.json()["results"]} == self.owned(name)

    def get(self, name: str, index: int) -> None:
        if (doc := self.pick(index)) is None:
            return
        status = self.clients[name].get(f"/api/v1/documents/{doc}").status_code
        assert status == (200 if self.owner.get(doc) == name else 404)

    def page(self, name: str, index: int) -> None:
        if (doc := self.pick(index)) is None:
            return
        response = self.clients[name].get(f"/api/v1/documents/{doc}/pages/1")
        if self.owner.get(doc) == name:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
            assert "Quartzline" not in response.content.decode()

    def delete(self, name: str, index: int) -> None:
        if (doc := self.pick(index)) is None:
            return
        status = self.clients[name].delete(f"/api/v1/documents/{doc}").status_code
        if self.owner.get(doc) == name:
            assert status == 204
            del self.owner[doc]
        else:
            assert status == 404

    def query(self, name: str, question: str) -> None:
        response = self.clients[name].post("/api/v1/query", {"question": question}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert {c["document_id"] for c in body["citations"]} <= self.owned(name)
        other = next(t for t in TENANTS if t != name)
        for figure in self.figures[other] - self.figures[name]:
            assert figure not in str(body)

    def check_rows(self) -> None:
        """What the database holds is what the API said: nothing deleted across tenants."""
        with all_tenants_scope(actor="tests", reason="isolation property check"):
            rows = dict(
                Document.objects.filter(pk__in=self.uploaded).values_list("pk", "tenant__slug")
            )
        assert {str(pk): slug for pk, slug in rows.items()} == {
            doc: self.tenants[owner].slug for doc, owner in self.owner.items()
        }


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def unscoped(tenant_a, tenant_b, client_a, client_b, monkeypatch):
    """No default scope on this connection: only the API and the task set one."""
    monkeypatch.setattr(row_security, "_process_default", row_security.NO_SCOPE)
    row_security._apply(connection, row_security.NO_SCOPE)
    yield {"a": client_a, "b": client_b}, {"a": tenant_a, "b": tenant_b}
    monkeypatch.undo()
    row_security._apply(connection, row_security.current_scope())


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # nothing written to the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(calls=st.lists(call, min_size=1, max_size=10))
def test_two_tenants_never_see_cite_or_delete_each_others_documents(unscoped, calls):
    clients, tenants = unscoped
    run = Run(clients, tenants)
    with transaction.atomic():
        for name, *args in calls:
            getattr(run, name)(*args)
            run.check_rows()
        transaction.set_rollback(True)
