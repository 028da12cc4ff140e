"""What an entry point does before Django reads its settings, which do nothing but read.

manage.py, ragplatform/wsgi.py (gunicorn), the pytest plugin (tests/startup.py) and the benches
call `prepare_process()` first. With RAG_ENV=production it loads the secrets from AWS Secrets
Manager and refuses to start without them; locally, with no DATABASE_URL, it starts the
embedded PostgreSQL and sets this process's DATABASE_URL (the app role, which row-level
security restricts) and DATABASE_OWNER_URL (the superuser that owns the tables, for migrate),
which its settings read and which `runplatform` hands to its children.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from ragplatform import embedded_postgres
from ragplatform.environment import RAG_ENVS, data_dir_path, parse_choice, read_environment
from ragplatform.secrets import load_production_secrets

_prepared = False


def prepare_process() -> None:
    """Load production secrets, or start the embedded database when none is configured; once."""
    global _prepared
    if _prepared:  # wsgi.py also runs under manage.py runserver, which prepared already
        return
    try:
        env = read_environment(os.environ)
        production = parse_choice("RAG_ENV", env.get("RAG_ENV"), "local", RAG_ENVS) == "production"
        if production:
            # The image build runs collectstatic with production settings but no AWS access.
            if env.get("RAG_BUILD_STEP") != "collectstatic":
                load_production_secrets(os.environ)
        elif not env.get("DATABASE_URL", "").strip():
            owner_url = embedded_postgres.start(data_dir_path(env) / "pg")
            os.environ["DATABASE_OWNER_URL"] = owner_url
            os.environ["DATABASE_URL"] = embedded_postgres.app_role_url(owner_url)
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ragplatform: refusing to start: {exc}") from None
    _prepared = True


def load_settings() -> None:
    """Read the settings now, so a malformed value stops the process with one clear line."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - the first attribute read imports the settings
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ragplatform: refusing to start: {exc}") from None
