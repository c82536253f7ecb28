from django.apps import AppConfig


def _mark_paid_on_credit(sender, movimento, **kwargs) -> None:
    from django_scopes import scope

    from .solleciti import solleciti_mark_paid

    with scope(comune=movimento.comune_id):
        solleciti_mark_paid(consumatore_id=movimento.consumatore_id, servizio=movimento.servizio)


class UfficioConfig(AppConfig):
    name = "ufficio"
    verbose_name = "Ufficio scuola"

    def ready(self) -> None:
        from django.contrib import admin

        from pagamenti.signals import credito_registrato

        # The admin index links the office's cruscotto.
        admin.site.index_template = "ufficio/admin_index.html"

        credito_registrato.connect(_mark_paid_on_credit, dispatch_uid="ufficio.mark_paid_on_credit")

        from omnibus.publish import sweeper_register

        from .invio import invii_in_sospeso_publish

        # Reminder jobs the office queued while the broker was down, started once it is back.
        sweeper_register("ufficio.invii", invii_in_sospeso_publish)
