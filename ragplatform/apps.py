from django.apps import AppConfig


class RagPlatformConfig(AppConfig):
    name = "ragplatform"
    verbose_name = "Platform"
