"""Staff: positions with the sandbox "simulate PSP payment" action, receipts, audited corrections."""

from decimal import Decimal

from django_scopes import scope

from pagamenti.models import Movimento, Posizione, Ricevuta, StatoPosizione, TipoMovimento
from pagamenti.selectors import saldo

from .helpers import add_to_cart, checkout


def make_avviso(client, alice, children, leporano):
    client.force_login(alice)
    add_to_cart(client, children[0], "30.00")
    checkout(client, "avviso")
    client.logout()
    with scope(comune=leporano):
        return Posizione.objects.get()


def test_staff_simulate_a_psp_payment_of_an_avviso(client, alice, alice_children, bob, config_leporano, leporano):
    posizione = make_avviso(client, alice, alice_children, leporano)
    client.force_login(bob)
    changelist = client.get("/admin/pagamenti/posizione/")
    assert changelist.status_code == 200 and posizione.numero_avviso in changelist.content.decode()
    for _ in range(2):
        client.post("/admin/pagamenti/posizione/", {"action": "simula_pagamento_psp",
                                                    "_selected_action": [posizione.pk]})
    with scope(comune=leporano):
        posizione.refresh_from_db()
        assert posizione.stato == StatoPosizione.PAGATA
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("30.00")
        assert Ricevuta.objects.count() == 1
    assert client.get("/admin/pagamenti/ricevuta/").status_code == 200


def test_other_comuni_staff_do_not_see_the_position(client, alice, alice_children, dora, config_leporano, leporano):
    posizione = make_avviso(client, alice, alice_children, leporano)
    client.force_login(dora)
    assert posizione.numero_avviso not in client.get("/admin/pagamenti/posizione/").content.decode()
    assert client.get(f"/admin/pagamenti/posizione/{posizione.pk}/change/").status_code == 404
    client.post("/admin/pagamenti/posizione/", {"action": "simula_pagamento_psp", "_selected_action": [posizione.pk]})
    with scope(comune=leporano):
        assert Posizione.objects.get().stato == StatoPosizione.IN_ATTESA


def test_a_correction_needs_a_reason_and_records_who(client, alice_children, bob, leporano):
    client.force_login(bob)
    child = alice_children[0]
    data = {"consumatore": child.pk, "servizio": "mensa", "importo": "-4.10", "data_valuta": "2026-11-23"}
    response = client.post("/admin/pagamenti/rettifica/add/", {**data, "motivo": ""})
    assert response.status_code == 200
    with scope(comune=leporano):
        assert not Movimento.objects.exists()
    response = client.post("/admin/pagamenti/rettifica/add/", {**data, "motivo": "Pasto non consumato, gita"})
    assert response.status_code == 302
    with scope(comune=leporano):
        movimento = Movimento.objects.get()
        assert movimento.tipo == TipoMovimento.RETTIFICA and movimento.creato_da == bob
        assert movimento.motivo == "Pasto non consumato, gita" and movimento.creato_il is not None
        assert saldo(consumatore=child, servizio="mensa") == Decimal("-4.10")
    # Nobody edits or deletes ledger rows.
    assert client.post(f"/admin/pagamenti/movimento/{movimento.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_correction_cannot_target_another_comunes_child(client, dora, alice_children, leporano):
    client.force_login(dora)
    response = client.post("/admin/pagamenti/rettifica/add/", {
        "consumatore": alice_children[0].pk, "servizio": "mensa", "importo": "100.00", "data_valuta": "2026-11-23",
        "motivo": "tentativo"})
    assert response.status_code == 200  # the form refuses the choice
    with scope(comune=leporano):
        assert not Movimento.objects.exists()
