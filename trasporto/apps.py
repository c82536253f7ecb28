from django.apps import AppConfig


class TrasportoConfig(AppConfig):
    name = "trasporto"
    verbose_name = "Trasporto scolastico"
