"""The avviso a family makes at RICARICA goes to its Messaggi and to App IO, payable there.

Payment facts from IO's API (pagopa/io-functions-services, openapi/index.yaml v4.0.0, commit 72b2ff3:
PaymentDataBase `amount` in euro cents, `notice_number` ^[0123][0-9]{17}$, `invalid_after_due_date`;
Payee `fiscal_code` of the organisation), checked by the fake IO server, which refuses a message breaking them.
"""

from __future__ import annotations

from django_scopes import scope

from notifiche.models import MessaggioIO, Notifica
from pagamenti.models import Posizione

from .helpers import add_to_cart, checkout, url


def test_an_avviso_made_at_ricarica_is_payable_in_io(client, alice, alice_children, config_leporano, leporano, io,
                                                     django_capture_on_commit_callbacks):
    client.force_login(alice)
    add_to_cart(client, alice_children[1], "20.00", "mensa")
    add_to_cart(client, alice_children[0], "15.50", "mensa")
    with django_capture_on_commit_callbacks(execute=True):
        _response, chiave = checkout(client, "avviso")
        # A second click on the same cart finds the same position: no second message.
        client.post(url("checkout"), {"chiave": chiave, "modalita": "avviso", "dichiaro": "on"})
    with scope(comune=leporano):
        posizione = Posizione.objects.get()
        notifica = Notifica.objects.get(user=alice)
    assert posizione.numero_avviso_formattato in notifica.testo and "35,50 €" in notifica.titolo
    [message] = io.messages
    assert message["content"]["payment_data"] == {
        "amount": 3550, "notice_number": posizione.numero_avviso, "invalid_after_due_date": True,
        "payee": {"fiscal_code": leporano.codice_fiscale},
    }
    assert message["content"]["due_date"].startswith(posizione.scadenza.isoformat()[:8])


def test_a_transport_avviso_goes_through_the_transport_service(client, alice, alice_children, config_leporano,
                                                                leporano, io, django_capture_on_commit_callbacks):
    client.force_login(alice)
    add_to_cart(client, alice_children[0], "30.00", "trasporto")
    with django_capture_on_commit_callbacks(execute=True):
        checkout(client, "avviso")
    with scope(comune=leporano):
        assert MessaggioIO.objects.get().servizio.ambito == "trasporto"
    assert io.messages[0]["content"]["payment_data"]["amount"] == 3000


def test_an_online_payment_sends_no_avviso_message(client, alice, alice_children, config_leporano, leporano, io,
                                                   django_capture_on_commit_callbacks):
    client.force_login(alice)
    add_to_cart(client, alice_children[1], "20.00", "mensa")
    with django_capture_on_commit_callbacks(execute=True):
        checkout(client, "online")
    with scope(comune=leporano):
        assert not Notifica.objects.exists()
    assert io.messages == []
