from django.apps import AppConfig


class EsercizioConfig(AppConfig):
    """Running Omnibus as a service: backups and their restore drill, job records and alerts, metrics."""

    name = "esercizio"
    verbose_name = "Esercizio del servizio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects Celery's signals
