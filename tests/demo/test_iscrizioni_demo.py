"""The demo applications ask the comune's diet types: the one with a certificate "Senza glutine",
the accepted one "Senza carne di maiale", which the child then follows."""

from django.core.management import call_command
from django_scopes import scope

from comuni.models import Comune
from iscrizioni.models import Domanda, StatoDomanda
from mensa.menu.models import DietaConsumatore


def test_the_demo_applications_ask_the_comunes_diet_types(db):
    call_command("seed_demo")
    for comune in Comune.objects.filter(slug__in=["leporano", "pulsano"]):
        with scope(comune=comune):
            con_certificato = Domanda.objects.exclude(certificato="").select_related("tipo_dieta").get()
            accolta = Domanda.objects.select_related("tipo_dieta").get(stato=StatoDomanda.ACCOLTA)
            diete = set(DietaConsumatore.objects.filter(consumatore=accolta.consumatore)
                        .values_list("tipo__nome", flat=True))
        assert con_certificato.tipo_dieta.nome == "Senza glutine (celiachia)"
        assert con_certificato.stato == StatoDomanda.INVIATA
        assert accolta.tipo_dieta.nome == "Senza carne di maiale" and "Senza carne di maiale" in diete
    # Leporano's office set its retention and opened the certificate once: the log shows it.
    leporano = Comune.objects.get(slug="leporano")
    with scope(comune=leporano):
        from iscrizioni.models import AccessoCertificato, ConservazioneDati

        assert ConservazioneDati.objects.get().certificati_giorni == 30
        [accesso] = AccessoCertificato.objects.select_related("domanda", "utente")
    assert accesso.domanda.certificato and accesso.utente.email == "ufficio.scuola@leporano.example"
