"""Phase 1 validation: ask the checked-in questions through the public API, print pass/fail."""

import json
import urllib.request
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.models import Tenant
from tenants.row_security import tenant_scope
from tenants.services import api_key_issue, api_key_revoke

DEFAULT_FILE = Path(settings.BASE_DIR) / "agents" / "validation.yaml"
DEMO_TENANTS = ("acme", "ea")


class InProcessApi:
    """Calls the API through Django's full request stack with a temporary tenant key."""

    def __init__(self, tenant):
        from rest_framework.test import APIClient

        self.tenant = tenant
        with tenant_scope(tenant):  # the key is the tenant's row
            self.key, raw = api_key_issue(tenant=tenant, name="validate_queries")
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str) -> tuple[int, dict]:
        response = self.client.get(path)
        return response.status_code, response.json()

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        response = self.client.post(path, body, format="json")
        return response.status_code, response.json()

    def close(self) -> None:
        with tenant_scope(self.tenant):
            api_key_revoke(api_key=self.key)


class HttpApi:
    """Calls a running platform over HTTP with a key the caller supplies."""

    def __init__(self, base_url: str, key: str):
        self.base_url, self.key = base_url.rstrip("/"), key

    def _call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 - operator-supplied URL
            self.base_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def get(self, path: str) -> tuple[int, dict]:
        return self._call("GET", path)

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        return self._call("POST", path, body)

    def close(self) -> None:
        pass


def document_names(api) -> dict[str, str]:
    names, path = {}, "/api/v1/documents?page_size=200"
    while path:
        status, body = api.get(path)
        if status != 200:
            raise CommandError(f"Listing documents failed ({status}): {body}")
        names.update({doc["id"]: doc["filename"] for doc in body.get("results", [])})
        nxt = body.get("next")
        path = nxt[nxt.index("/api/") :] if nxt else None
    return names


def check(expect: dict, status: int, body: dict, names: dict[str, str]) -> list[str]:
    """The reasons a response fails its expectations (empty when it passes)."""
    if status != 200:
        return [f"HTTP {status}: {body.get('error', body)}"]
    problems = []
    if "route" in expect and body["route"] != expect["route"]:
        problems.append(f"route {body['route']} != {expect['route']}")
    answer = body.get("answer", "")
    for needle in expect.get("answer_has", []):
        if needle not in answer:
            problems.append(f"answer lacks {needle!r}")
    if cited := expect.get("cited_pages"):
        pages = [
            c.get("page")
            for c in body.get("citations", [])[:5]
            if names.get(c.get("document_id")) == cited["document"]
        ]
        if not set(pages) & set(cited["pages"]):
            problems.append(
                f"cited pages {pages} of {cited['document']}, want one of {cited['pages']}"
            )
    if expect.get("no_answer") and body.get("grounded") and not body.get("limits_hit"):
        problems.append("gave a grounded answer to a question the documents cannot answer")
    return problems


def pages_cited(body: dict) -> str:
    return ",".join(str(c.get("page") or "web") for c in body.get("citations", [])[:5]) or "-"


class Command(BaseCommand):
    help = (
        "Run the Phase 1 validation questions through the public query API for each tenant "
        "and print a pass/fail table; exits 1 if any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", action="append", help="Tenant slug (repeatable).")
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="Validation YAML.")
        parser.add_argument("--base-url", help="Call a running platform over HTTP instead.")
        parser.add_argument("--key", help="Tenant API key, with --base-url (one tenant).")

    def handle(self, *args, tenant, file, base_url, key, **options):
        try:
            queries = yaml.safe_load(Path(file).read_text())["queries"]
        except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
            raise CommandError(f"Cannot read validation file {file}: {exc}") from exc
        slugs = [s.lower() for s in (tenant or DEMO_TENANTS)]
        if base_url and (not key or len(slugs) != 1):
            raise CommandError("--base-url needs --key and exactly one --tenant.")

        failures = total = 0
        header = f"{'tenant':<10} {'query':<32} {'route':<15} {'pages':<12} result"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for slug in slugs:
            if base_url:
                api = HttpApi(base_url, key)
            else:
                found = Tenant.objects.filter(slug=slug).first()
                if found is None:
                    raise CommandError(f"No tenant '{slug}'. Run `make run` or bootstrap_demo.")
                api = InProcessApi(found)
            try:
                names = document_names(api)
                for query in queries:
                    expect = {**query["expect"], **query.get("tenants", {}).get(slug, {})}
                    status, body = api.post("/api/v1/query", {"question": query["question"]})
                    problems = check(expect, status, body, names)
                    total += 1
                    failures += bool(problems)
                    verdict = "PASS" if not problems else "FAIL: " + "; ".join(problems)
                    self.stdout.write(
                        f"{slug:<10} {query['id']:<32} {body.get('route', '-'):<15} "
                        f"{pages_cited(body):<12} {verdict}"
                    )
            finally:
                api.close()
        self.stdout.write(f"\n{total - failures}/{total} passed")
        if failures:
            raise CommandError(f"{failures} validation check(s) failed.", returncode=1)
