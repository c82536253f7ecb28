from django.apps import AppConfig


class IdentitaConfig(AppConfig):
    name = "identita"
    verbose_name = "SPID e CIE"

    def ready(self) -> None:
        from . import signals  # noqa: F401
