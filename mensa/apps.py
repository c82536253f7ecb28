from django.apps import AppConfig


class MensaConfig(AppConfig):
    name = "mensa"
    verbose_name = "Refezione scolastica"
