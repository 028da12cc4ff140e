"""`make run`, then `make test`, in one checkout: the suite must not see `make run`'s `.env`.

The reproduced failure: `make run` wrote ADMIN_API_KEY, SECRET_KEY and RAG_ADMIN_PASSWORD to
`.env`; the next `make test` loaded them into its own os.environ, every subprocess a test
started inherited them, and test_runplatform's child `runplatform` (seeing them already set)
no longer wrote its own `.env`. Here a copy of the checkout gets the `.env` that `make run`
writes, and pytest runs there (as `make test` does) a test that looks for those values.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ragplatform.management.commands.runplatform import GENERATED, ensure_env_file

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = ("manage.py", "pyproject.toml", "ragplatform", "tenants", "providers", "documents")
CHECKOUT += ("agents", "templates", "tests")

PROBE = """
import os
from pathlib import Path

from django.conf import settings

GENERATED = {generated!r}
FROM_ENV_FILE = {values!r}


def test_the_suite_does_not_see_the_checkouts_env_file():
    assert Path(settings.BASE_DIR) == Path(__file__).resolve().parent.parent
    assert not set(GENERATED) & set(os.environ)  # so no child process inherits them
    assert settings.SECRET_KEY != FROM_ENV_FILE["SECRET_KEY"]
    assert settings.ADMIN_API_KEY != FROM_ENV_FILE["ADMIN_API_KEY"]
    assert settings.DEMO_ADMIN_PASSWORD != FROM_ENV_FILE["RAG_ADMIN_PASSWORD"]
"""


@pytest.mark.timeout(180)
def test_env_file_written_by_make_run_does_not_reach_the_test_suite(tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in CHECKOUT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, checkout / name)
    values = ensure_env_file(checkout / ".env")  # what `make run` does on its first run
    assert set(values) == set(GENERATED)
    (checkout / "tests" / "test_probe_env_file.py").write_text(
        PROBE.format(generated=GENERATED, values=values)
    )
    # `make test` from a shell: no RAG_ENV_FILE, no generated value exported; the database
    # server this suite already runs on, so no second embedded server starts.
    env = {k: v for k, v in os.environ.items() if k not in {"RAG_ENV_FILE", *GENERATED}}
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_probe_env_file.py", "-q"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
