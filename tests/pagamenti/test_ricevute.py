"""Receipts credit every cart line exactly once, whatever their number, order or timing."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from pagamenti.models import EsitoRicevuta, Movimento, Posizione, Ricevuta, StatoPosizione
from pagamenti.pagopa.gateway import RicevutaGateway
from pagamenti.pagopa.services import (
    RICEVUTA_AVVISO_SCONOSCIUTO,
    RICEVUTA_GIA_PAGATA,
    RICEVUTA_IMPORTO_ERRATO,
    RICEVUTA_POSIZIONE_CHIUSA,
    RigaCarrello,
    posizione_cancel,
    posizione_create,
    posizione_simulate_psp_payment,
    ricevuta_receive,
)
from pagamenti.selectors import saldo
from tests.concurrency import run_at_once


def make_position(leporano, alice, children, modalita="avviso", chiave="c1"):
    with scope(comune=leporano):
        righe = [RigaCarrello(children[0], "mensa", Decimal("20.00")),
                 RigaCarrello(children[1], "trasporto", Decimal("15.00"))]
        return posizione_create(comune=leporano, utente=alice, righe=righe, modalita=modalita,
                                chiave_carrello=chiave)[0]


def receipt(posizione_or_numero, importo="35.00", identificativo="RT-1", when=None):
    numero = getattr(posizione_or_numero, "numero_avviso", posizione_or_numero)
    return RicevutaGateway(identificativo=identificativo, numero_avviso=numero, importo=Decimal(importo),
                           psp="Banca di prova", pagata_il=when or timezone.now())


@pytest.fixture
def posizione(leporano, alice, alice_children, config_leporano):
    return make_position(leporano, alice, alice_children)


def test_a_receipt_credits_every_line_once(leporano, alice_children, posizione):
    with scope(comune=leporano):
        for _ in range(3):
            stored = ricevuta_receive(comune=leporano, ricevuta=receipt(posizione), origine="gpd")
        assert stored.esito == EsitoRicevuta.ACCREDITATA
        assert Ricevuta.objects.count() == 1
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("20.00")
        assert saldo(consumatore=alice_children[1], servizio="trasporto") == Decimal("15.00")
        posizione.refresh_from_db()
        assert posizione.stato == StatoPosizione.PAGATA


def test_a_second_different_receipt_for_a_paid_notice_is_stored_for_staff(leporano, alice_children, posizione):
    with scope(comune=leporano):
        ricevuta_receive(comune=leporano, ricevuta=receipt(posizione), origine="gpd")
        second = ricevuta_receive(comune=leporano, ricevuta=receipt(posizione, identificativo="RT-2"), origine="gpd")
        assert second.esito == EsitoRicevuta.INATTESA and second.motivo == str(RICEVUTA_GIA_PAGATA)
        assert Movimento.objects.count() == 2


def test_a_receipt_for_an_unknown_notice_is_stored_not_credited(leporano, posizione):
    with scope(comune=leporano):
        stored = ricevuta_receive(comune=leporano, ricevuta=receipt("302000000000000184"), origine="gpd")
        assert stored.esito == EsitoRicevuta.INATTESA and stored.motivo == str(RICEVUTA_AVVISO_SCONOSCIUTO)
        assert stored.posizione is None and not Movimento.objects.exists()


def test_a_receipt_with_the_wrong_amount_is_not_credited(leporano, posizione):
    with scope(comune=leporano):
        stored = ricevuta_receive(comune=leporano, ricevuta=receipt(posizione, "30.00"), origine="gpd")
        assert stored.esito == EsitoRicevuta.INATTESA and stored.motivo == str(RICEVUTA_IMPORTO_ERRATO)
        assert not Movimento.objects.exists()
        posizione.refresh_from_db()
        assert posizione.stato == StatoPosizione.IN_ATTESA


def test_a_cancelled_or_expired_position_is_never_credited(leporano, alice, alice_children, posizione):
    with scope(comune=leporano):
        posizione_cancel(posizione=posizione)
        stored = ricevuta_receive(comune=leporano, ricevuta=receipt(posizione), origine="gpd")
        assert stored.motivo == str(RICEVUTA_POSIZIONE_CHIUSA)
        other = make_position(leporano, alice, alice_children, chiave="c2")
        late = timezone.now() + datetime.timedelta(days=60)
        stored = ricevuta_receive(comune=leporano, ricevuta=receipt(other, identificativo="RT-9", when=late),
                                  origine="gpd")
        assert stored.motivo == str(RICEVUTA_POSIZIONE_CHIUSA)
        assert not Movimento.objects.exists()


def test_the_receipt_arriving_before_the_browser_returns(client, alice, leporano, alice_children, config_leporano):
    from .helpers import add_to_cart, checkout, url

    client.force_login(alice)
    add_to_cart(client, alice_children[0], "20.00")
    response, _ = checkout(client, "online")
    with scope(comune=leporano):
        posizione = Posizione.objects.get()
        ricevuta_receive(comune=leporano, ricevuta=receipt(posizione, "20.00"), origine="gpd")
    # The browser comes back afterwards and clicks "paga" on a position already paid.
    client.post(response["Location"], {"esito": "paga"})
    page = client.get(url("posizione", token=posizione.token)).content.decode()
    assert "Pagata" in page
    with scope(comune=leporano):
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("20.00")


def test_staff_simulated_psp_payment_goes_through_the_same_path(leporano, alice_children, posizione):
    with scope(comune=leporano):
        posizione_simulate_psp_payment(posizione=posizione)
        posizione_simulate_psp_payment(posizione=posizione)
        assert Ricevuta.objects.get().origine == "sandbox"
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("20.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_credit_once(leporano, alice, alice_children, config_leporano):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    posizione = make_position(leporano, alice, alice_children)

    def worker(n):
        with scope(comune=leporano):
            ricevuta_receive(comune=leporano, ricevuta=receipt(posizione, identificativo=f"RT-{n % 2}"),
                             origine="gpd")

    run_at_once(worker, 4)  # raises what any worker raised
    with scope(comune=leporano):
        assert Movimento.objects.count() == 2
        assert Ricevuta.objects.filter(esito=EsitoRicevuta.ACCREDITATA).count() == 1
        assert Ricevuta.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_tabs_paying_the_same_cart_at_once_make_one_position(leporano, alice, alice_children, config_leporano):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")

    def worker(n):
        with scope(comune=leporano):
            return make_position(leporano, alice, alice_children, chiave="same-cart").pk

    made = run_at_once(worker, 4)
    assert len(set(made)) == 1
    with scope(comune=leporano):
        assert Posizione.objects.count() == 1
