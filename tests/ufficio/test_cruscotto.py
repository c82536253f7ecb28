"""The cruscotto: today's meals per school, debts, money per channel, open avvisi, nightly jobs, charts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from mensa.addebito import meal_debit_run
from mensa.assenze import assenza_create
from pagamenti.models import ModalitaPagamento, TipoMovimento
from pagamenti.pagopa.services import RigaCarrello, posizione_create, posizione_simulate_psp_payment
from tests.mensa.conftest import MONDAY, setup_mensa

from .conftest import ricarica

URL = reverse("ufficio:cruscotto", kwargs={"comune": "leporano"})


@pytest.fixture
def giornata(clock, leporano, alice, alice_children, config_leporano, django_capture_on_commit_callbacks):
    """Leporano on Monday 23 November 2026: a week of meals debited (Sofia is suspended after five meals in
    debit), Leonardo absent today, three payments and one avviso still to pay."""
    setup_mensa(leporano, alice_children)
    leonardo, sofia = alice_children
    with scope(comune=leporano):
        for giorno in (MONDAY - datetime.timedelta(days=d) for d in (7, 6, 5, 4, 3)):
            meal_debit_run(comune=leporano, giorno=giorno)
        clock.set(MONDAY, 7, 30)
        assenza_create(consumatore=leonardo, dal=MONDAY, registrata_da=alice)
        for modalita, importo, chiave in ((ModalitaPagamento.ONLINE, "25.00", "a"),
                                          (ModalitaPagamento.AVVISO, "10.00", "b")):
            posizione, _ = posizione_create(
                comune=leporano, utente=alice, modalita=modalita, chiave_carrello=chiave,
                righe=[RigaCarrello(consumatore=leonardo, servizio="mensa", importo=Decimal(importo))])
            with django_capture_on_commit_callbacks(execute=True):
                posizione_simulate_psp_payment(posizione=posizione)
        posizione_create(comune=leporano, utente=alice, modalita=ModalitaPagamento.AVVISO, chiave_carrello="c",
                         righe=[RigaCarrello(consumatore=sofia, servizio="mensa", importo=Decimal("7.00"))])
    ricarica(sofia, "5.00", MONDAY, tipo=TipoMovimento.RICARICA_PUNTOLIS)
    clock.set(MONDAY, 10, 0)
    return leonardo, sofia


def test_the_cruscotto_shows_the_day_and_the_month(bob_client, giornata, django_assert_max_num_queries):
    # 27: the open debts read the sums' horizon before and after their statement (conti_leggi).
    with django_assert_max_num_queries(27):
        response = bob_client.get(URL)
    assert response.status_code == 200
    ctx = response.context
    [scuola] = ctx["pasti_oggi"]
    assert (scuola.prenotati, scuola.assenti, scuola.sospesi, scuola.mangiano) == (0, 1, 1, 0)
    assert ctx["sospesi"] == 1
    # 5 days × 2 children × 4,10 € = 41,00 € of meals; Leonardo paid 35 €, Sofia 5 € at a PuntoLIS.
    assert ctx["debiti"]["mensa"]["conti"] == 1 and ctx["debiti"]["mensa"]["totale"] == Decimal("15.50")
    assert ctx["incassi_mese"] == {"pagoPA online": Decimal("25.00"), "Avviso pagoPA presso PSP": Decimal("10.00"),
                                   "PuntoLIS": Decimal("5.00")}
    assert ctx["posizioni_aperte"] == {"n": 1, "totale": Decimal("7.00")}
    assert [a.giorno for a in ctx["addebiti"]["mensa"]][0] == MONDAY - datetime.timedelta(days=3)
    content = response.content.decode()
    assert content.count("<svg") >= 3  # three server-side charts, drawn without any script
    assert "kozea.github" not in content  # no CDN
    assert all("<script" not in g.svg for g in ctx["grafici"])  # static charts: nothing for the CSP to block
    pasti, incassi_chart, eta = ctx["grafici"]
    assert pasti.righe == [[f"{d}/11", "2"] for d in range(16, 21)]
    assert ["nov 26", "25,00 €", "10,00 €", "5,00 €"] in incassi_chart.righe
    assert eta.righe[0] == ["fino a 30 giorni", "15,50 €"]
    assert "Riconciliazione" in content
    assert '/leporano/pagamenti/riconciliazione/"' in content  # the FdR import and its reports


def test_the_cruscotto_query_count_does_not_grow_with_the_data(bob_client, giornata, leporano,
                                                               django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bob_client.get(URL)  # the comune is cached after the first request
    with CaptureQueriesContext(connection) as first:
        bob_client.get(URL)
    from tests.factories import ConsumatoreFactory

    from .conftest import pasti
    for i in range(5):
        pasti(ConsumatoreFactory(comune=leporano, nome=f"Altro{i}"), 3, dal=MONDAY - datetime.timedelta(days=10))
    with django_assert_num_queries(len(first.captured_queries)):
        bob_client.get(URL)


def test_the_admin_index_links_the_cruscotto(bob_client, leporano):
    response = bob_client.get(reverse("admin:index"))
    assert URL in response.content.decode()


def test_only_the_comunes_office_sees_it(giornata, dora_client, alice):
    family = Client()
    family.force_login(alice)
    assert family.get(URL).status_code == 403
    assert dora_client.get(URL).status_code == 403
    assert Client().get(URL).status_code == 302
