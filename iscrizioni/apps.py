from django.apps import AppConfig


class IscrizioniConfig(AppConfig):
    name = "iscrizioni"
    verbose_name = "Iscrizioni e anno scolastico"

    def ready(self) -> None:
        from notifiche.allegati import allegato_register

        from .ricevuta import ALLEGATO_KIND, ricevuta_allegato

        allegato_register(ALLEGATO_KIND, ricevuta_allegato)
