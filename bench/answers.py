"""Answer quality through the public API (not part of `make test`), as a tenant app would:
upload the sample generator's long filings with `POST /api/v1/documents`, ingest them (what
`manage.py db_worker` runs), then ask every fact's question with `POST /api/v1/query` and
check the response:

- cited: the evidence page is among the answer's citations (what a reader checks);
- first: it is the first citation;
- figure: the answer quotes the fact's figure (its digits, e.g. "1,482.3").

The model is the tenant's provider: the offline local one (SIMULATED: extractive, no LLM)
unless --provider says otherwise and its credentials are configured. With --filings DIR,
DIR/*.pdf and DIR/facts.yaml (samples/facts.yaml's fields) are used instead, e.g. real
filings kept outside the repository.

    .venv/bin/python -m bench.answers [--filings DIR]
"""

import argparse
import re
import tempfile
from pathlib import Path

from bench.database import scratch_database  # first: it sets Django up

# isort: split

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from documents.models import Document
from documents.services import document_ingest
from samples.make_financial_pdfs import generate
from tenants.services import api_key_issue, tenant_create

_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def figures(text: str) -> set[str]:
    return {match.replace(",", "") for match in _FIGURE.findall(text)}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.answers", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--filings", type=Path, help="a directory of PDFs and facts.yaml")
    parser.add_argument("--provider", default="local", choices=["local", "openai", "bedrock"])
    args = parser.parse_args()
    if args.filings:
        directory = args.filings
        facts = yaml.safe_load((directory / "facts.yaml").read_text())["facts"]
    else:
        directory = Path(tempfile.mkdtemp(prefix="filings-"))
        facts = generate(directory, long=True)

    with scratch_database("answers"), override_settings(ALLOWED_HOSTS=["*"]):
        tenant = tenant_create(
            name="Bench answers",
            slug="bench-answers",
            provider=args.provider,
            requests_per_minute=100_000,
        )
        _, key = api_key_issue(tenant=tenant, name="bench")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        ids = {}
        for path in sorted(directory.glob("*.pdf")):
            response = client.post(
                "/api/v1/documents",
                {"files": [SimpleUploadedFile(path.name, path.read_bytes())]},
                format="multipart",
            )
            assert response.status_code == 202, response.content
            ids[path.name] = response.json()["documents"][0]["id"]
        for name, document_id in ids.items():
            document_ingest(document_id=document_id)
            document = Document.objects.get(pk=document_id)
            print(f"  {name}: {document.pages_total} pages, {document.status}")

        print(f"\n  {'question':<30} {'page':>5}  {'cited pages':<22} cited first figure")
        totals = {"cited": 0, "first": 0, "figure": 0}
        for fact in facts:
            response = client.post("/api/v1/query", {"question": fact["question"]}, format="json")
            assert response.status_code == 200, response.content
            body = response.json()
            doc_id = ids[fact["document"]]
            cited = [c.get("page") for c in body["citations"] if c.get("document_id") == doc_id]
            accepted = {fact["page"], *fact.get("also_pages", [])}
            result = {
                "cited": bool(accepted & set(cited)),
                "first": bool(body["citations"])
                and body["citations"][0].get("document_id") == doc_id
                and body["citations"][0].get("page") in accepted,
                "figure": bool(figures(fact["answer"]) & figures(body["answer"])),
            }
            for name, ok in result.items():
                totals[name] += ok
            marks = "  ".join(f"{'yes' if result[n] else ' - ':>5}" for n in result)
            shown = " ".join(str(page) for page in cited)[:22]
            print(f"  {fact['id']:<30} {fact['page']:>5}  {shown:<22} {marks}")
        n = len(facts)
        print(
            f"\n  {n} questions: evidence page cited {totals['cited'] / n:.2f}, "
            f"cited first {totals['first'] / n:.2f}, figure in the answer "
            f"{totals['figure'] / n:.2f} (provider: {args.provider})"
        )


if __name__ == "__main__":
    main()
