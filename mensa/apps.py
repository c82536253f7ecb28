from django.apps import AppConfig


def _lift_suspension_on_credit(sender, movimento, **kwargs) -> None:
    from django_scopes import scope

    from pagamenti.models import Servizio

    from .debiti import sospensione_lift_if_restored

    if movimento.servizio != Servizio.MENSA:
        return
    with scope(comune=movimento.comune_id):
        sospensione_lift_if_restored(consumatore=movimento.consumatore)


class MensaConfig(AppConfig):
    name = "mensa"
    verbose_name = "Refezione scolastica"

    def ready(self) -> None:
        from pagamenti.signals import credito_registrato

        credito_registrato.connect(_lift_suspension_on_credit, dispatch_uid="mensa.lift_suspension_on_credit")

        from consumatori.dettaglio import sezione_register

        from .dettaglio import sezione_dettaglio

        # The canteen part of the consumer's Dettaglio: diets, the week's menu, the month, the balances.
        sezione_register(nome="mensa", template="mensa/_dettaglio.html", contesto=sezione_dettaglio, ordine=10)
