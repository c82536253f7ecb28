from django.apps import AppConfig


class NotificheConfig(AppConfig):
    name = "notifiche"
    verbose_name = "Notifiche"

    def ready(self) -> None:
        from omnibus.publish import sweeper_register

        from .consegna import consegne_in_sospeso_publish

        # The outbox's rows the broker could not take at commit, swept by beat with the other apps' (omnibus.publish).
        sweeper_register("notifiche", consegne_in_sospeso_publish)
