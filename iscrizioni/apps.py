from django.apps import AppConfig


class IscrizioniConfig(AppConfig):
    name = "iscrizioni"
    verbose_name = "Iscrizioni e anno scolastico"

    def ready(self) -> None:
        from comuni.dati_personali import dati_personali_register

        from .conservazione import domande_famiglia_cancella, domande_famiglia_esporta

        # "I miei dati" lists the family's applications; an accepted erasure request anonymises them.
        dati_personali_register("domande_iscrizione", esporta=domande_famiglia_esporta,
                                cancella=domande_famiglia_cancella)
