"""The Dockerfile (hadolint, and what the image must do) and docker-compose.yml (parsed)."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

INFRA = Path(__file__).resolve().parents[1]
REPO = INFRA.parent

HADOLINT = str(Path(sys.executable).with_name("hadolint"))


def _hadolint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv
        [HADOLINT, str(path)], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            keyword, _, rest = pending.strip().partition(" ")
            instructions.append((keyword.upper(), rest))
            pending = ""
    return instructions


def _stages(dockerfile):
    stages, current = {}, None
    for keyword, rest in dockerfile:
        if keyword == "FROM":
            current = rest.split(" AS ")[-1]
            stages[current] = []
        elif current:
            stages[current].append((keyword, rest))
    return stages


def test_hadolint_passes_on_the_dockerfile():
    result = _hadolint(REPO / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_flag_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\n")
    result = _hadolint(bad)
    assert result.returncode != 0 and "DL3007" in result.stdout


def test_build_stage_installs_the_locked_runtime_dependencies_with_uv(dockerfile):
    build = _stages(dockerfile)["build"]
    runs = " ".join(rest for keyword, rest in build if keyword == "RUN")
    assert "pip install --no-cache-dir uv==" in runs
    assert "uv sync --frozen --no-dev" in runs
    env = next(rest for k, rest in build if k == "ENV")
    assert "UV_PROJECT_ENVIRONMENT=/app/.venv" in env
    assert "UV_PYTHON_DOWNLOADS=never" in env


def test_runtime_stage_is_python_312_slim_and_non_root(dockerfile):
    assert dockerfile[0] == ("ARG", "PYTHON_IMAGE=python:3.12-slim-trixie")
    runtime = _stages(dockerfile)["runtime"]
    (user,) = [rest for keyword, rest in runtime if keyword == "USER"]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000
    assert ("COPY", "--from=build /app/.venv /app/.venv") in runtime
    # The user switch comes after every build step, before the process starts.
    keywords = [keyword for keyword, _ in runtime]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")


def test_collectstatic_runs_at_build_time_without_real_secrets(dockerfile):
    runtime = _stages(dockerfile)["runtime"]
    (collect,) = [rest for keyword, rest in runtime if "collectstatic" in rest]
    words = shlex.split(collect)
    assert "python manage.py collectstatic --noinput" in collect
    env = dict(word.split("=", 1) for word in words[: words.index("python")])
    assert env["RAG_ENV"] == "production"  # the production storage backend's manifest
    assert env["SECRET_KEY"] == env["DJANGO_SECRET_KEY"] == "build-only-not-a-secret"
    assert "127.0.0.1" in env["DATABASE_URL"]
    assert not [rest for keyword, rest in runtime if keyword == "ENV" and "SECRET" in rest]
    assert not [rest for keyword, rest in runtime if keyword == "ARG" and "SECRET" in rest]


def test_healthcheck_probes_the_health_endpoint_with_python(dockerfile):
    (health,) = [rest for keyword, rest in dockerfile if keyword == "HEALTHCHECK"]
    assert "CMD" in health and '"python", "-c"' in health
    assert "http://127.0.0.1:8000/api/v1/health" in health


def test_default_command_is_gunicorn_sized_for_one_vcpu(dockerfile):
    (cmd,) = [rest for keyword, rest in dockerfile if keyword == "CMD"]
    argv = yaml.safe_load(cmd)  # JSON exec form
    assert argv[:2] == ["gunicorn", "ragplatform.wsgi:application"]
    options = dict(zip(argv[2::2], argv[3::2], strict=False))
    assert options["--bind"] == "0.0.0.0:8000"
    assert options["--worker-class"] == "gthread"
    # Twice the 16 concurrent questions bench/query.py measures, as workers get uneven shares.
    assert int(options["--workers"]) * int(options["--threads"]) == 32
    assert int(options["--keep-alive"]) > 60  # longer than the ALB idle timeout
    assert int(options["--timeout"]) >= 30  # API Gateway's limit is 29 s
    assert ("EXPOSE", "8000") in dockerfile


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", ".data", "infra", "tests", "node_modules"} <= ignored


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_runs_db_migrate_web_and_worker(compose):
    assert set(compose["services"]) == {"db", "migrate", "web", "worker"}
    assert compose["services"]["db"]["image"].startswith("pgvector/pgvector:")
    assert compose["services"]["db"]["image"].endswith("-pg16")
    for name in ("migrate", "web", "worker"):
        assert compose["services"][name]["build"] == "."
    commands = {name: compose["services"][name].get("command") for name in ("migrate", "worker")}
    assert commands == {
        "migrate": ["python", "manage.py", "migrate", "--noinput"],
        "worker": ["python", "manage.py", "db_worker"],
    }
    assert "command" not in compose["services"]["web"]  # the image's gunicorn


def test_compose_orders_start_up_by_health_and_migration(compose):
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    assert services["migrate"]["restart"] == "no"


def test_compose_healthchecks(compose):
    services = compose["services"]
    assert services["db"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    web = services["web"]["healthcheck"]
    assert web["test"][:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/api/v1/health" in web["test"][3]
    for name in ("migrate", "worker"):  # no HTTP server in these
        assert services[name]["healthcheck"] == {"disable": True}


def test_compose_keeps_data_in_named_volumes(compose):
    assert set(compose["volumes"]) == {"pgdata", "appdata"}
    assert compose["services"]["db"]["volumes"][0] == "pgdata:/var/lib/postgresql/data"
    for name in ("migrate", "web", "worker"):  # uploads written by web, read by the worker
        assert compose["services"][name]["volumes"] == ["appdata:/app/.data"]


def test_compose_points_the_app_at_the_db_service_and_publishes_only_on_loopback(compose):
    web = compose["services"]["web"]
    assert web["environment"]["DATABASE_URL"].endswith("@db:5432/ragplatform")
    assert web["environment"]["RAG_ENV"] == "local"
    assert web["ports"] == ["127.0.0.1:${PORT:-8000}:8000"]
    assert "ports" not in compose["services"]["db"]


def test_compose_app_connects_as_the_restricted_role_and_only_migrate_and_worker_as_owner(
    compose,
):
    services = compose["services"]
    init = "./infra/compose/app-role.sql:/docker-entrypoint-initdb.d/10-app-role.sql:ro"
    assert init in services["db"]["volumes"]
    script = (REPO / "infra" / "compose" / "app-role.sql").read_text()
    role = re.search(r"CREATE ROLE (\w+) LOGIN PASSWORD '(\w+)' (.*);", script)
    assert role, script
    assert {"NOSUPERUSER", "NOBYPASSRLS"} <= set(role.group(3).split())
    app_url = f"postgres://{role.group(1)}:{role.group(2)}@db:5432/ragplatform"
    owner = services["db"]["environment"]["POSTGRES_USER"]
    for name in ("migrate", "web", "worker"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"] == app_url, name
    assert "DATABASE_OWNER_URL" not in services["web"]["environment"]
    for name in ("migrate", "worker"):
        owner_url = services[name]["environment"]["DATABASE_OWNER_URL"]
        assert owner_url.startswith(f"postgres://{owner}:"), name
