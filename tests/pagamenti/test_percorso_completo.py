"""The issue's "done when": two children, one cart paid online in the sandbox, one with an avviso
paid through the staff "simulate PSP" action; both balances rise exactly once; receipts download."""

from decimal import Decimal

from django_scopes import scope

from pagamenti.models import Posizione, StatoPosizione
from pagamenti.selectors import saldo

from .helpers import add_to_cart, checkout, url
from .test_avviso_pdf import decode_qr


def test_two_children_online_and_avviso_then_receipts(client, alice, alice_children, bob, config_leporano, leporano):
    leonardo, sofia = alice_children
    client.force_login(alice)
    add_to_cart(client, leonardo, "30.00", "mensa")
    online, _ = checkout(client, "online")
    client.post(online["Location"], {"esito": "paga"})

    add_to_cart(client, sofia, "20.00", "mensa")
    add_to_cart(client, sofia, "15.00", "trasporto")
    avviso, _ = checkout(client, "avviso")
    with scope(comune=leporano):
        posizione = Posizione.objects.get(modalita="avviso")
    pdf = client.get(url("avviso_pdf", token=posizione.token)).content
    assert decode_qr(pdf)[1] == [f"PAGOPA|002|{posizione.numero_avviso}|80009290737|3500"]

    client.force_login(bob)
    for _ in range(2):
        client.post("/admin/pagamenti/posizione/", {"action": "simula_pagamento_psp",
                                                    "_selected_action": [posizione.pk]})
    client.force_login(alice)
    with scope(comune=leporano):
        assert set(Posizione.objects.values_list("stato", flat=True)) == {StatoPosizione.PAGATA}
        assert saldo(consumatore=leonardo, servizio="mensa") == Decimal("30.00")
        assert saldo(consumatore=sofia, servizio="mensa") == Decimal("20.00")
        assert saldo(consumatore=sofia, servizio="trasporto") == Decimal("15.00")
        tokens = list(Posizione.objects.values_list("token", flat=True))
    page = client.get(url("pagamenti")).content.decode()
    assert page.count('class="movimento"') == 3
    for token in tokens:
        receipt = client.get(url("ricevuta_pdf", token=token))
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
