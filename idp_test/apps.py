from django.apps import AppConfig


class IdpTestConfig(AppConfig):
    name = "idp_test"
    verbose_name = "Identity provider di prova (solo sviluppo)"
