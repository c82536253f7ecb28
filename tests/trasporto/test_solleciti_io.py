"""A transport reminder reaches App IO through the comune's transport service, not the canteen's."""

from __future__ import annotations

from django.test import TestCase
from django_scopes import scope

from notifiche.models import MessaggioIO, ServizioIO, StatoMessaggioIO
from tests.fakes.io_server import FakeIO
from trasporto.services import impostazioni_for, mensilita_debit
from trasporto.solleciti import solleciti_trasporto_run

CF = "DBLLCU80A41L049X"
KEYS = {"mensa": "chiave-io-mensa", "trasporto": "chiave-io-trasporto"}


def test_a_transport_reminder_goes_through_the_transport_service(settings, leporano_trasporto, alice,
                                                                  alice_children, enrol):
    alice.codice_fiscale, alice.codice_fiscale_verificato = CF, True
    alice.save()
    enrol(alice_children[0])
    with scope(comune=leporano_trasporto):
        for ambito, key in KEYS.items():
            ServizioIO.objects.create(comune=leporano_trasporto, ambito=ambito, nome=f"Servizio {ambito}",
                                      api_key=key)
        impostazioni = impostazioni_for(comune=leporano_trasporto)
        impostazioni.soglie_sollecito = "25,50"
        impostazioni.save()
        mensilita_debit(comune=leporano_trasporto, mese="2026-04")
    with FakeIO(keys=set(KEYS.values()), citizens={CF: True}) as io:
        settings.APP_IO_BASE_URL = io.base_url
        with scope(comune=leporano_trasporto), TestCase.captureOnCommitCallbacks(execute=True):
            assert solleciti_trasporto_run(comune=leporano_trasporto) == 1
    with scope(comune=leporano_trasporto):
        messaggio = MessaggioIO.objects.select_related("servizio").get()
    assert (messaggio.stato, messaggio.servizio.ambito) == (StatoMessaggioIO.INVIATO, "trasporto")
    [message] = io.messages
    assert message["content"]["subject"].startswith("Trasporto scolastico: ")
    assert "payment_data" not in message["content"]  # paid from RICARICA, no avviso of its own
