from django.apps import AppConfig


class NotificheConfig(AppConfig):
    name = "notifiche"
    verbose_name = "Notifiche"
