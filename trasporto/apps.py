from django.apps import AppConfig


def _sezione_dettaglio(request, consumatore, context) -> dict:
    from .selectors import trasporto_for_consumatore

    return {"iscrizioni_trasporto": trasporto_for_consumatore(consumatore=consumatore)}


class TrasportoConfig(AppConfig):
    name = "trasporto"
    verbose_name = "Trasporto scolastico"

    def ready(self) -> None:
        from consumatori.dettaglio import sezione_register

        # The bus part of the consumer's Dettaglio (shown when enrolled or with a balance).
        sezione_register(nome="trasporto", template="trasporto/_sezione_dettaglio.html",
                         contesto=_sezione_dettaglio, ordine=20)
