from django.apps import AppConfig


class PagamentiConfig(AppConfig):
    name = "pagamenti"
    verbose_name = "Pagamenti"
