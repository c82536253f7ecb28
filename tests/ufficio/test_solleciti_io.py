"""A sollecito reaches App IO as an avviso the family can pay inside IO.

The facts are those of IO's API (pagopa/io-functions-services, openapi/index.yaml v4.0.0, commit 72b2ff3:
PaymentDataBase with `amount` in euro cents 1–9999999999 and `notice_number` ^[0123][0-9]{17}$,
`invalid_after_due_date`; Payee with the organisation's 11-digit `fiscal_code`; `due_date` a UTC
Timestamp), checked by the fake IO server (tests/fakes/io_server.py), which refuses a message breaking them.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django_scopes import scope

from notifiche.models import MessaggioIO, StatoMessaggioIO
from tests.conftest import IO_CF
from ufficio.models import Sollecito

from .conftest import pasti

NUOVO = reverse("ufficio:invio_nuovo", kwargs={"comune": "leporano"})



def test_a_sollecito_carries_the_payment_data_of_its_avviso(bob_client, alice_children, config_leporano, leporano,
                                                             io, django_capture_on_commit_callbacks):
    sofia = alice_children[1]
    pasti(sofia, 6)  # 24,60 € in debit
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(NUOVO, {"livello": "primo", "conti": [f"{sofia.pk}:mensa"]})
    with scope(comune=leporano):
        posizione = Sollecito.objects.select_related("posizione").get().posizione
        messaggio = MessaggioIO.objects.select_related("servizio").get()
    assert (messaggio.stato, messaggio.servizio.ambito) == (StatoMessaggioIO.INVIATO, "mensa")
    [message] = io.messages
    assert message["fiscal_code"] == IO_CF and "1° sollecito" in message["content"]["subject"]
    assert message["content"]["payment_data"] == {
        "amount": 2460, "notice_number": posizione.numero_avviso,
        # The GPD position switches to expired at its due date: IO must not offer it afterwards.
        "invalid_after_due_date": True,
        "payee": {"fiscal_code": leporano.codice_fiscale},
    }
    # The last payable instant, 23:59:59 in Rome on the avviso's due date, written in UTC.
    last = datetime.datetime.combine(posizione.scadenza, datetime.time(23, 59, 59), tzinfo=ZoneInfo("Europe/Rome"))
    assert message["content"]["due_date"] == last.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
