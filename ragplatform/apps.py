from pathlib import Path

from django.apps import AppConfig


class RagPlatformConfig(AppConfig):
    name = "ragplatform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from django.conf import settings

        from ragplatform import (
            database_roles,  # noqa: F401 - post_migrate grants, checks
            login_audit,
        )
        from ragplatform.logging import configure_structlog

        # Here rather than in settings, so that reading the settings changes no global state.
        configure_structlog()
        login_audit.connect()
        if not settings.PRODUCTION:
            # Locally nothing runs collectstatic, and WhiteNoise warns on every start without it.
            Path(settings.STATIC_ROOT).mkdir(exist_ok=True)
