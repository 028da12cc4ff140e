from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agents.providers import guard

        guard.install()  # process-wide: AU work can never reach OpenAI (docs/sovereignty.md)
