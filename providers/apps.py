from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self) -> None:
        from providers import guard

        guard.install()  # process-wide: AU work can never reach OpenAI (docs/sovereignty.md)
