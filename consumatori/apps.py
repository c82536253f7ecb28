from django.apps import AppConfig


class ConsumatoriConfig(AppConfig):
    name = "consumatori"
    verbose_name = "Scuole e consumatori"
