"""The OpenAPI schema tells the truth: schemathesis, every check, bounded examples, drives the
tenant API and then the platform-admin API of a live server on 127.0.0.1 from
`/api/v1/schema/`, on throwaway tenants, and finds no server error and no schema violation.

Two runs, the tenant API's first: the admin API's fuzzing changes tenants (limits, routes,
deactivation), and must not change the one the tenant API's run acts as. Bigger or other
runs: CONTRACT_MAX_EXAMPLES (per operation, default 25) and CONTRACT_SEED."""

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings

from tenants.services import api_key_issue, tenant_create
from tests.data.pdf_factory import make_pdf
from tests.fixtures.documents import ingest_pdf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "25"))
SEED = int(os.environ.get("CONTRACT_SEED", "16"))

# Statuses a request the schema allows may still get, beyond schemathesis' defaults (2xx,
# 3xx, 401, 403, 404, 409, 429), for rules a schema cannot state: the bytes must be a PDF; a
# highlight must be a chunk of this document; a scope must match one of the tenant's ready
# documents; a tenant's settings must agree (sovereignty, routes, models). Every other
# operation's schema-valid requests must succeed.
RULES_BEYOND_THE_SCHEMA = """
checks.positive_data_acceptance.expected-statuses = [
  "2xx", "3xx", "400", "401", "403", "404", "409", "429",
]
"""

COMMON = """
[auth.openapi.TenantApiKey]
bearer = "${CONTRACT_TENANT_KEY}"

[auth.openapi.PlatformAdminKey]
bearer = "${CONTRACT_ADMIN_KEY}"

[generation]
max-examples = %(max_examples)d

[checks]
enabled = true

[phases.stateful]
enabled = false

[cache]
enabled = false
"""

TENANT_API = (
    COMMON
    + """
# A ready document, so that the 200s (JSON, PDF, PNG, 304) are checked, not only the 404s
# random ids reach; DELETE gets a document of its own.
[[operations]]
include-operation-id = [
  "documents_retrieve", "documents_partial_update", "documents_file_retrieve",
  "documents_pages_retrieve",
]
parameters = { document_id = "${CONTRACT_DOCUMENT_ID}" }

[[operations]]
include-operation-id = "documents_pages_image_retrieve"
parameters = { document_id = "${CONTRACT_DOCUMENT_ID}", number = 1 }
%(rules)s
[[operations]]
include-operation-id = "documents_destroy"
parameters = { document_id = "${CONTRACT_DELETED_DOCUMENT_ID}" }

[[operations]]
include-operation-id = ["documents_create", "query_create"]
%(rules)s
"""
)

ADMIN_API = (
    COMMON
    + """
# A tenant of the admin run's own, so that its 200s and the keys' 201s are checked too.
[[operations]]
include-operation-id = [
  "admin_tenants_retrieve", "admin_tenants_destroy", "admin_tenants_keys_list",
  "admin_tenants_keys_create", "admin_tenants_keys_destroy",
]
parameters = { slug = "${CONTRACT_ADMIN_SLUG}" }

[[operations]]
include-operation-id = "admin_tenants_partial_update"
parameters = { slug = "${CONTRACT_ADMIN_SLUG}" }
%(rules)s
[[operations]]
include-operation-id = "admin_tenants_create"
%(rules)s
"""
)


@pytest.fixture
def contract_tenant():
    """A throwaway tenant with a key, a generous rate limit and two ready filings."""
    tenant = tenant_create(
        name="Contract Test", slug=f"contract-{secrets.token_hex(4)}", requests_per_minute=100_000
    )
    with override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    ):
        document = ingest_pdf(
            tenant,
            make_pdf([["# Contract Ltd Annual Report", "Revenue was A$12 million."], ["Two."]]),
            name="contract.pdf",
        )
        deleted = ingest_pdf(tenant, make_pdf([["To be deleted."]]), name="deleted.pdf")
    return tenant, api_key_issue(tenant=tenant, name="schemathesis")[1], document, deleted


def schemathesis_run(*, url: str, config: str, workdir: Path, env: dict, args: list[str]):
    """One schemathesis run; its JSON report (figures, failures) and its output."""
    (workdir / "schemathesis.toml").write_text(config % {"max_examples": MAX_EXAMPLES})
    report = workdir / "report.json"
    started = time.monotonic()
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(workdir / "schemathesis.toml"),
            "run",
            url,
            *args,
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--report",
            "json",
            "--report-json-path",
            str(report),
            "--no-color",
        ],
        env={**os.environ, **env, "NO_COLOR": "1"},
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )
    seconds = time.monotonic() - started
    summary = json.loads(report.read_text()) if report.exists() else {}
    cases = summary.get("test_cases", {})
    print(
        f"schemathesis {' '.join(args)}: {summary.get('operations', {}).get('tested')} "
        f"operations, {cases.get('generated')} test cases, {cases.get('unique_failures')} "
        f"failures, {seconds:.0f} s; warnings: {summary.get('warnings')}"
    )
    return result, summary


def assert_clean(result, summary) -> None:
    failures = summary.get("failures", [])
    errors = summary.get("errors", [])
    assert result.returncode == 0 and not failures and not errors, (
        f"{json.dumps(failures, indent=1)}\n{json.dumps(errors, indent=1)}\n"
        f"{result.stdout[-12000:]}\n{result.stderr[-3000:]}"
    )
    assert summary["operations"]["tested"] == summary["operations"]["selected"] > 0
    # Every operation got past authentication: the keys work, the tenant stayed active.
    assert not summary["warnings"].get("missing_auth"), summary["warnings"]


def test_api_matches_its_openapi_schema(live_server, settings, tmp_path, contract_tenant):
    _, key, document, deleted = contract_tenant
    admin_target = tenant_create(name="Admin Target", slug=f"admin-{secrets.token_hex(4)}")
    settings.ADMIN_API_KEY = admin_key = f"contract-admin-{secrets.token_hex(16)}"
    url = f"{live_server.url.replace('localhost', '127.0.0.1')}/api/v1/schema/"
    env = {
        "CONTRACT_TENANT_KEY": key,
        "CONTRACT_ADMIN_KEY": admin_key,
        "CONTRACT_DOCUMENT_ID": str(document.pk),
        "CONTRACT_DELETED_DOCUMENT_ID": str(deleted.pk),
        "CONTRACT_ADMIN_SLUG": admin_target.slug,
    }
    rules = RULES_BEYOND_THE_SCHEMA
    runs = [
        (TENANT_API.replace("%(rules)s", rules), ["--exclude-tag", "admin"]),
        (ADMIN_API.replace("%(rules)s", rules), ["--include-tag", "admin"]),
    ]
    for index, (config, args) in enumerate(runs):
        workdir = tmp_path / f"run{index}"
        workdir.mkdir()
        result, summary = schemathesis_run(
            url=url, config=config, workdir=workdir, env=env, args=args
        )
        assert_clean(result, summary)
