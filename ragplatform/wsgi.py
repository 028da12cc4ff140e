"""WSGI entry point (gunicorn ragplatform.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

from ragplatform.startup import load_settings, prepare_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ragplatform.settings")
# Each gunicorn worker imports this module: production secrets are loaded here, and locally
# the embedded database starts (or is attached to) unless DATABASE_URL was handed down.
prepare_process()
load_settings()
application = get_wsgi_application()

from ragplatform.warmup import warm_up  # noqa: E402 - needs the configured app

warm_up()
