"""Cancelling a position invalidates it at GPD (`POST …/{iupd}/invalidate`, pagopa/pagopa-api openapi/gpd.json)
so that it can no longer be paid at a PSP; a paid one (409) is credited instead."""

from __future__ import annotations

from decimal import Decimal

from django_scopes import scope

from pagamenti.models import Posizione, StatoPosizione
from pagamenti.selectors import saldo


def test_the_family_cancels_a_pending_avviso_and_gpd_invalidates_it(client, pagopa, posizione_gpd, alice, leporano):
    client.force_login(alice)
    response = client.post(f"/leporano/pagamenti/avvisi/{posizione_gpd.token}/annulla/")
    assert response.status_code == 302
    assert [r["operation"] for r in pagopa.requests][-1] == "gpd_invalidate"
    assert pagopa.positions[next(iter(pagopa.positions))]["status"] == "INVALID"
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.stato == StatoPosizione.ANNULLATA
    assert "Avviso annullato" in client.get(response["Location"]).content.decode()


def test_back_from_checkout_with_annulla_invalidates_an_online_position(client, pagopa, posizione_gpd, alice, leporano):
    with scope(comune=leporano):
        Posizione.objects.filter(pk=posizione_gpd.pk).update(modalita="online")
    client.force_login(alice)
    client.get(f"/leporano/pagamenti/avvisi/{posizione_gpd.token}/?esito=annullato")
    assert pagopa.operations("gpd_invalidate")
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione_gpd.pk).stato == StatoPosizione.ANNULLATA


def test_a_position_paid_meanwhile_is_not_cancelled_but_credited(
    client, pagopa, posizione_gpd, alice, alice_children, leporano
):
    pagopa.pay(posizione_gpd.numero_avviso)
    client.force_login(alice)
    response = client.post(f"/leporano/pagamenti/avvisi/{posizione_gpd.token}/annulla/", follow=True)
    assert "non può essere annullato" in response.content.decode()
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione_gpd.pk).stato == StatoPosizione.PAGATA
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("20.00")


def test_gpd_down_keeps_the_position_pending(client, pagopa, posizione_gpd, alice, leporano):
    pagopa.mode = "500"
    client.force_login(alice)
    response = client.post(f"/leporano/pagamenti/avvisi/{posizione_gpd.token}/annulla/", follow=True)
    assert "non è al momento raggiungibile" in response.content.decode()
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione_gpd.pk).stato == StatoPosizione.IN_ATTESA


def test_another_family_cannot_cancel_our_avviso(client, pagopa, posizione_gpd, charlie, leporano):
    client.force_login(charlie)
    assert client.post(f"/leporano/pagamenti/avvisi/{posizione_gpd.token}/annulla/").status_code == 404
    assert client.post(f"/pulsano/pagamenti/avvisi/{posizione_gpd.token}/annulla/").status_code == 404
    assert not pagopa.operations("gpd_invalidate")


def test_staff_cancel_positions_from_the_admin(client, pagopa, posizione_gpd, leporano, bob):
    client.force_login(bob)
    response = client.post("/admin/pagamenti/posizione/", {
        "action": "annulla_posizioni", "_selected_action": [posizione_gpd.pk],
    }, follow=True)
    assert response.status_code == 200
    assert pagopa.operations("gpd_invalidate")
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione_gpd.pk).stato == StatoPosizione.ANNULLATA
