from django.apps import AppConfig


class IscrizioniConfig(AppConfig):
    name = "iscrizioni"
    verbose_name = "Iscrizioni e anno scolastico"
