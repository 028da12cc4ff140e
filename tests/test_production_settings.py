"""RAG_ENV=production: secrets from AWS Secrets Manager (moto), fail fast without them.

The entry points load them (ragplatform.startup.prepare_process, called by manage.py and by
ragplatform.wsgi in each gunicorn worker); the settings only check that they are there.
"""

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from ragplatform.secrets import ProductionConfigError, load_production_secrets

ROOT = Path(__file__).resolve().parent.parent
REGION = "ap-southeast-2"
ALL_SECRETS = {
    "rag-system/OPENAI_API_KEY": "sk-test",
    "rag-system/DATABASE_URL": "postgres://u:p@db.internal:5432/rag",
    "rag-system/ADMIN_API_KEY": "admin-secret",
    "rag-system/DJANGO_SECRET_KEY": "django-secret",
}


def _put(client, secrets: dict[str, str]) -> None:
    for name, value in secrets.items():
        client.create_secret(Name=name, SecretString=value)


def _put_on_server(endpoint: str, secrets: dict[str, str]) -> None:
    """Put the secrets on the moto server the child processes read them from."""
    client = boto3.client(
        "secretsmanager",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    _put(client, secrets)


@pytest.fixture
def sm_client(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


def test_loads_every_secret_into_the_environment(sm_client):
    _put(sm_client, ALL_SECRETS)
    env: dict[str, str] = {}
    loaded = load_production_secrets(env, client=sm_client)
    assert env["OPENAI_API_KEY"] == "sk-test"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["ADMIN_API_KEY"] == "admin-secret"
    assert env["SECRET_KEY"] == "django-secret"
    assert sorted(loaded) == ["ADMIN_API_KEY", "DATABASE_URL", "OPENAI_API_KEY", "SECRET_KEY"]


def test_missing_secrets_are_all_named(sm_client):
    _put(sm_client, {"rag-system/OPENAI_API_KEY": "sk-test"})
    with pytest.raises(ProductionConfigError) as excinfo:
        load_production_secrets({}, client=sm_client)
    message = str(excinfo.value)
    assert "rag-system/DATABASE_URL" in message
    assert "rag-system/ADMIN_API_KEY" in message
    assert "rag-system/OPENAI_API_KEY" not in message


def test_empty_secret_counts_as_missing(sm_client):
    _put(sm_client, {**ALL_SECRETS, "rag-system/ADMIN_API_KEY": "  "})
    with pytest.raises(ProductionConfigError, match="rag-system/ADMIN_API_KEY"):
        load_production_secrets({}, client=sm_client)


def test_secret_key_from_environment_is_kept(sm_client):
    secrets = {k: v for k, v in ALL_SECRETS.items() if "DJANGO" not in k}
    _put(sm_client, secrets)
    env = {"SECRET_KEY": "from-ecs"}
    load_production_secrets(env, client=sm_client)
    assert env["SECRET_KEY"] == "from-ecs"


def test_debug_on_is_refused(sm_client):
    _put(sm_client, ALL_SECRETS)
    with pytest.raises(ProductionConfigError, match="DEBUG"):
        load_production_secrets({"DEBUG": "true"}, client=sm_client)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def moto_server():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    # The server keeps moto's in-process state: the next test starts with no secrets.
    reset = urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - 127.0.0.1
    server.stop()


def _production_env(endpoint: str, **extra) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "SECRET_KEY",
            "ADMIN_API_KEY",
            "OPENAI_API_KEY",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        RAG_ENV="production",
        RAG_ENV_FILE="/nonexistent/.env",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION,
        AWS_ENDPOINT_URL_SECRETS_MANAGER=endpoint,
        **extra,
    )
    return env


def _manage_check(endpoint: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env=_production_env(endpoint, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _gunicorn_worker_import(endpoint: str) -> subprocess.CompletedProcess:
    """What each gunicorn worker does first (Dockerfile CMD: gunicorn ragplatform.wsgi:...)."""
    return subprocess.run(
        [sys.executable, "-c", "import ragplatform.wsgi"],
        cwd=ROOT,
        env=_production_env(endpoint),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_app_refuses_to_start_without_secrets(moto_server):
    result = _manage_check(moto_server)
    assert result.returncode != 0
    assert "refusing to start" in result.stderr
    assert "rag-system/DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_app_starts_with_secrets_from_secrets_manager(moto_server):
    _put_on_server(moto_server, ALL_SECRETS)
    result = _manage_check(moto_server)
    assert result.returncode == 0, result.stderr


def test_web_worker_refuses_to_start_without_secrets(moto_server):
    result = _gunicorn_worker_import(moto_server)
    assert result.returncode != 0
    assert "refusing to start" in result.stderr
    assert "rag-system/ADMIN_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_web_worker_starts_with_secrets_from_secrets_manager(moto_server):
    _put_on_server(moto_server, ALL_SECRETS)
    result = _gunicorn_worker_import(moto_server)
    assert result.returncode == 0, result.stderr


def test_app_refuses_debug_in_production(moto_server):
    result = _manage_check(moto_server, DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_image_build_collectstatic_needs_no_secrets(tmp_path):
    """The Dockerfile's build step: production static files, no AWS, no database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        RAG_ENV="production",
        RAG_BUILD_STEP="collectstatic",
        RAG_ENV_FILE="/nonexistent/.env",
        SECRET_KEY="build-only",
        DATABASE_URL="postgres://build@127.0.0.1:9/build",
        STATIC_ROOT=str(tmp_path / "static"),
        AWS_ENDPOINT_URL_SECRETS_MANAGER="http://127.0.0.1:9",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # the manifest WhiteNoise serves
    assert list((tmp_path / "static" / "admin").rglob("*.css"))


# What a real deployment's secrets look like to `check --deploy` (a SECRET_KEY of 50+ varied
# characters); the database is never reached, and is on 127.0.0.1 if it were.
DEPLOY_SECRETS = {
    **ALL_SECRETS,
    "rag-system/DATABASE_URL": "postgres://u:p@127.0.0.1:9/rag",
    "rag-system/DJANGO_SECRET_KEY": "k9$Qz!7vWm@2pLx#4nRt%8bYc^6hJd&1sFg*3aEe(5uIo)0yTq-Vr+Ns=Pz",
}


@pytest.fixture
def deploy_secrets(moto_server):
    _put_on_server(moto_server, DEPLOY_SECRETS)
    return moto_server


def test_check_deploy_is_clean_under_production_settings(deploy_secrets):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(deploy_secrets),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# A request through the app as a gunicorn worker has it, over HTTPS (as the load balancer says
# with X-Forwarded-Proto) and over plain HTTP.
_HEADERS_OVER = """
import json, ragplatform.wsgi
from django.test import Client
client = Client()
print(json.dumps({
    "https": dict(client.get("/api/v1/health", HTTP_X_FORWARDED_PROTO="https").headers),
    "http": dict(client.get("/api/v1/health").headers),
}))
"""


def test_hsts_is_sent_over_tls_only_in_production(deploy_secrets):
    result = subprocess.run(
        [sys.executable, "-c", _HEADERS_OVER],
        cwd=ROOT,
        env=_production_env(deploy_secrets),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["https"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in headers["http"]
    for over in ("https", "http"):
        assert headers[over]["X-Content-Type-Options"] == "nosniff"
        assert headers[over]["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers[over]["Content-Security-Policy"]
