from django.apps import AppConfig


class AttivazioneConfig(AppConfig):
    """A comune's switch-over onto Omnibus: new comune, registry import, readiness, families' letters.

    It sits on top of comuni, consumatori, mensa, trasporto, pagamenti and ufficio; nothing imports it."""

    name = "attivazione"
    verbose_name = "Attivazione"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ufficio.esportazioni import generatore_register

        from .lettere import TITOLO, lettere_build
        from .prontezza import LETTERE_FAMIGLIE

        generatore_register(LETTERE_FAMIGLIE, TITOLO, lettere_build)
