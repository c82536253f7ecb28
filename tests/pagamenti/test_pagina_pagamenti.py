"""Pagamenti: every movement per consumer and service, notices and receipts, yearly statement."""

import datetime
from decimal import Decimal

import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from pagamenti.models import SANDBOX_IN_PRODUCTION_ERROR, Servizio, TipoMovimento
from pagamenti.pagopa.gateway import GatewayError, gateway_for
from pagamenti.services import movimento_register
from tests.factories import ConsumatoreFactory, TutoreFactory

from .helpers import add_to_cart, checkout, url


def credit(child, importo, chiave, servizio=Servizio.MENSA, tipo=TipoMovimento.RICARICA_PAGOPA, day=None):
    with scope(comune=child.comune):
        movimento_register(consumatore=child, servizio=servizio, tipo=tipo, importo=Decimal(importo),
                           data_valuta=day or timezone.localdate(), chiave=chiave, riferimento=chiave)


def test_the_page_lists_movements_per_consumer_and_service(client, alice, alice_children, config_leporano):
    credit(alice_children[0], "20.00", "avviso:1")
    credit(alice_children[0], "-4.10", "pasto:2026-11-23", tipo=TipoMovimento.PASTO)
    credit(alice_children[1], "31.00", "lis:9", Servizio.TRASPORTO, TipoMovimento.RICARICA_PUNTOLIS)
    client.force_login(alice)
    body = client.get(url("pagamenti")).content.decode()
    assert "Pagamenti" in body and "PuntoLIS" in body
    assert body.count('class="movimento"') == 3
    assert "15,90 €" in body and "31,00 €" in body
    assert "Ricarica PuntoLIS" in body and "Pasto consumato" in body


def test_the_page_runs_a_fixed_number_of_queries(client, alice, alice_children, leporano, config_leporano,
                                                 django_assert_num_queries, settings):
    settings.FAMILY_PAGE_CACHE_SECONDS = 0  # the render path; hits: tests/consumatori/test_page_cache.py
    client.force_login(alice)
    add_to_cart(client, alice_children[0])
    checkout(client)
    credit(alice_children[0], "20.00", "avviso:1")
    client.get(url("pagamenti"))
    # session, user, consumers, balances, movements, positions, their lines, the lines' consumers
    # (the comune is cached after the first request)
    with django_assert_num_queries(8):
        client.get(url("pagamenti"))
    for n in range(3):
        child = ConsumatoreFactory(comune=leporano, nome=f"Figlio{n}", cognome="Lacaita")
        TutoreFactory(comune=leporano, consumatore=child, utente=alice)
        for day in range(5):
            credit(child, "-4.10", f"pasto:2026-11-{day + 10}", tipo=TipoMovimento.PASTO)
        add_to_cart(client, child)
    checkout(client)
    with django_assert_num_queries(8):
        response = client.get(url("pagamenti"))
    assert response.content.decode().count('class="movimento"') == 16


def test_the_ricarica_pages_run_a_fixed_number_of_queries(client, alice, leporano, config_leporano,
                                                          django_assert_num_queries):
    client.force_login(alice)
    client.get(url("ricarica_consumatori"))
    with django_assert_num_queries(5):  # session, user, config, consumers, balances (comune cached)
        client.get(url("ricarica_consumatori"))
    for n in range(3):
        child = ConsumatoreFactory(comune=leporano, nome=f"Figlio{n}", cognome="Lacaita")
        TutoreFactory(comune=leporano, consumatore=child, utente=alice)
    with django_assert_num_queries(5):
        client.get(url("ricarica_consumatori"))


def test_the_yearly_statement_lists_the_payments_of_the_year(client, alice, alice_children, charlie_child,
                                                             config_leporano):
    child = alice_children[0]
    year = timezone.localdate().year
    credit(child, "20.00", "avviso:1", day=datetime.date(year, 1, 10))
    credit(child, "15.00", "lis:1", Servizio.TRASPORTO, TipoMovimento.RICARICA_PUNTOLIS, day=datetime.date(year, 2, 1))
    credit(child, "-4.10", "pasto:x", tipo=TipoMovimento.PASTO, day=datetime.date(year, 2, 2))
    client.force_login(alice)
    response = client.get(url("estratto", pk=child.pk, anno=year))
    assert response.status_code == 200
    text = pypdfium2.PdfDocument(response.content)[0].get_textpage().get_text_bounded()
    assert "35,00" in text and child.codice_fiscale in text and "4,10" not in text
    assert client.get(url("estratto", pk=charlie_child.pk, anno=year)).status_code == 404
    assert client.get(url("estratto", pk=child.pk, anno=year + 1)).status_code == 404


def test_the_sandbox_is_refused_in_production(settings, config_leporano, leporano):
    settings.PRODUCTION = True
    with scope(comune=leporano), pytest.raises(ValidationError) as error:
        config_leporano.full_clean()
    assert str(SANDBOX_IN_PRODUCTION_ERROR) in str(error.value)
    with pytest.raises(GatewayError):
        gateway_for(config_leporano)


def test_the_balance_is_never_stale_after_the_familys_own_top_up(client, leporano, alice, alice_children,
                                                                 config_leporano):
    from tests.pagamenti.test_puntolis import body_for, notify

    client.force_login(alice)
    assert client.get(url("pagamenti")).status_code == 200  # comune cached, page rendered
    assert notify(client, body_for(alice_children[0], "LIS-STALE", "12.50")).status_code == 201
    client.force_login(alice)
    assert "12,50" in client.get(url("pagamenti")).content.decode()
