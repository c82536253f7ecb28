"""Reading a position's state through `GET …/debtpositions/{iupd}` (pagopa/pagopa-api openapi/gpd.json):
PO_PAID / PO_REPORTED credit once with idReceipt, pspCompany, paymentDate; EXPIRED and INVALID close;
anything else is shown to staff, never read as "not paid"."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from pagamenti.models import Posizione, Ricevuta, StatoPosizione
from pagamenti.pagopa.services import posizione_poll
from pagamenti.selectors import saldo
from pagamenti.tasks import posizioni_poll_all, posizioni_poll_task

ROME = ZoneInfo("Europe/Rome")


def test_a_paid_position_is_credited_once_with_the_receipt_data(pagopa, posizione_gpd, leporano, alice_children):
    assert posizioni_poll_task.delay(leporano.pk).get() == 0
    pagopa.pay(posizione_gpd.numero_avviso, psp="Banca dei tabaccai", id_receipt="RT-0042",
               payment_date="2026-11-23T10:15:00+01:00")
    assert posizioni_poll_task.delay(leporano.pk).get() == 1
    assert posizioni_poll_task.delay(leporano.pk).get() == 0
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
        ricevuta = Ricevuta.objects.get()
        assert posizione_gpd.stato == StatoPosizione.PAGATA and posizione_gpd.stato_remoto == "PAID"
        assert ricevuta.identificativo == "RT-0042" and ricevuta.psp == "Banca dei tabaccai"
        assert ricevuta.pagata_il == datetime.datetime(2026, 11, 23, 10, 15, tzinfo=ROME)
        assert "<receiptId>RT-0042</receiptId>" in ricevuta.documento  # from the receipts service
        assert saldo(consumatore=alice_children[0], servizio="mensa") == Decimal("20.00")
        assert saldo(consumatore=alice_children[1], servizio="trasporto") == Decimal("10.00")


def test_a_reported_option_is_paid_too(pagopa, posizione_gpd, leporano):
    pagopa.pay(posizione_gpd.numero_avviso, reported=True)
    with scope(comune=leporano):
        assert posizione_poll(posizione=posizione_gpd) is not None
        assert Posizione.objects.get(pk=posizione_gpd.pk).stato == StatoPosizione.PAGATA


def test_a_payment_date_without_offset_is_read_as_rome_time(pagopa, posizione_gpd, leporano):
    pagopa.pay(posizione_gpd.numero_avviso, payment_date="2026-07-01T09:30:00")
    with scope(comune=leporano):
        ricevuta = posizione_poll(posizione=posizione_gpd)
    assert ricevuta.pagata_il == datetime.datetime(2026, 7, 1, 9, 30, tzinfo=ROME)


@pytest.mark.parametrize(("status", "stato"), [("EXPIRED", StatoPosizione.SCADUTA),
                                               ("INVALID", StatoPosizione.ANNULLATA)])
def test_expired_and_invalid_positions_are_closed(pagopa, posizione_gpd, leporano, status, stato):
    pagopa.set_status(posizione_gpd.numero_avviso, status)
    with scope(comune=leporano):
        assert posizione_poll(posizione=posizione_gpd) is None
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.stato == stato and posizione_gpd.stato_remoto == status


@pytest.mark.parametrize("status", ["PARTIALLY_PAID", "SOMETHING_NEW"])
def test_a_state_we_do_not_handle_is_shown_to_staff_and_stays_pending(pagopa, posizione_gpd, leporano, status):
    pagopa.set_status(posizione_gpd.numero_avviso, status)
    with scope(comune=leporano):
        assert posizione_poll(posizione=posizione_gpd) is None
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.stato == StatoPosizione.IN_ATTESA
    assert posizione_gpd.stato_remoto == status and status in posizione_gpd.ultimo_errore


def test_a_position_gpd_does_not_know_is_published_again(pagopa, posizione_gpd, leporano):
    pagopa.positions.clear()  # lost at GPD
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
        assert posizione_poll(posizione=posizione_gpd) is None
        posizione_gpd.refresh_from_db()
        assert posizione_gpd.pubblicata_il is None and not posizione_gpd.attivo
        assert posizione_poll(posizione=posizione_gpd) is None
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.pubblicata_il is not None and len(pagopa.positions) == 1


def test_a_position_paid_on_its_last_day_is_still_read_after_it(pagopa, posizione_gpd, leporano):
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    with scope(comune=leporano):
        Posizione.objects.filter(pk=posizione_gpd.pk).update(scadenza=yesterday)
    pagopa.pay(posizione_gpd.numero_avviso)
    assert posizioni_poll_all.delay().get() == 1
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione_gpd.pk).stato == StatoPosizione.PAGATA


def test_another_comunes_position_is_not_readable_with_ours(pagopa, posizione_gpd, leporano):
    # The fake answers 404 for an iupd under another organization's fiscal code (gpd.json path parameter).
    import httpx

    from .fake_pagopa import API_KEY

    iupd = next(iter(pagopa.positions))
    response = httpx.get(f"{pagopa.gpd_url}/organizations/80009310733/debtpositions/{iupd}",
                         headers={"Ocp-Apim-Subscription-Key": API_KEY})
    assert response.status_code == 404
