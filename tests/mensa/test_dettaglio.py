"""The consumer "Dettaglio": the month's days, school/class/section, meals consumed, balance."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django_scopes import scope

from mensa.addebito import meal_debit_for_day
from mensa.assenze import assenza_create
from pagamenti.models import Servizio, TipoMovimento
from pagamenti.services import movimento_register

from .conftest import MONDAY, TUESDAY


def _url(child, mese="2026-11"):
    return reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) + f"?mese={mese}"


def _day(body, day):
    return body.split(f'id="g{day:%Y%m%d}"')[1].split("</li>")[0]


def test_the_month_shows_each_days_state(client, clock, leporano, alice, alice_children, mensa_alice):
    leonardo = alice_children[0]
    with scope(comune=leporano):
        movimento_register(consumatore=leonardo, servizio=Servizio.MENSA, tipo=TipoMovimento.SALDO_INIZIALE,
                           importo=Decimal("20.00"), data_valuta=datetime.date(2026, 9, 1), chiave="saldo_iniziale")
        meal_debit_for_day(comune=leporano, giorno=datetime.date(2026, 11, 20))
        assenza_create(consumatore=leonardo, dal=datetime.date(2026, 11, 25), registrata_da=alice)
    client.force_login(alice)
    body = client.get(_url(leonardo)).content.decode()
    assert "Scuola primaria «Giovanni XXIII»" in body or "Scuola primaria" in body
    assert "3ª" in body and ">B<" in body
    assert "pasto consumato" in _day(body, datetime.date(2026, 11, 20))
    assert "servizio non disponibile" in _day(body, datetime.date(2026, 11, 21))  # Saturday
    assert "pasto prenotato" in _day(body, TUESDAY) and "Disdici" in _day(body, TUESDAY)
    assert "pasto prenotato" in _day(body, MONDAY) and "Disdici" in _day(body, MONDAY)  # 08:00, before 09:00
    assert "assente" in _day(body, datetime.date(2026, 11, 25)) and "Ritira" in _day(body, datetime.date(2026, 11, 25))
    assert '<p class="h4 mb-0" data-testid="pasti-consumati">1</p>' in body
    assert "15.90 €" in body or "15,90 €" in body


def test_after_the_cut_off_today_cannot_be_changed(client, clock, leporano, alice, alice_children, mensa_alice):
    clock.set(MONDAY, 9, 0)
    client.force_login(alice)
    body = client.get(_url(alice_children[0])).content.decode()
    assert "Disdici" not in _day(body, MONDAY)
    assert "Disdici" in _day(body, TUESDAY)


def test_december_shows_the_holidays_as_no_service(client, clock, alice, alice_children, mensa_alice):
    client.force_login(alice)
    body = client.get(_url(alice_children[0], "2026-12")).content.decode()
    assert "servizio non disponibile" in _day(body, datetime.date(2026, 12, 8))
    assert "servizio non disponibile" in _day(body, datetime.date(2026, 12, 25))


def _queries(client, url, django_assert_num_queries, n):
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


def test_the_page_runs_a_fixed_number_of_queries(client, clock, leporano, alice, alice_children, mensa_alice,
                                                 django_assert_num_queries, settings):
    settings.FAMILY_PAGE_CACHE_SECONDS = 0  # the render path; hits: tests/consumatori/test_page_cache.py
    # session, user, consumer, calendars, closures, absences, overrides, suspensions, enrolments,
    # meals, balances, bland meals of the month and week, diets, menu periods and variations (no menu
    # published here: tests/mensa/menu/test_menu_famiglie.py counts the full menu), bus enrolments,
    # their boardings (prefetch, only when enrolled), the school calendar and closures of the week's menu
    # (from the process's memory when the page cache is on: mensa.calendario.calendari_anno_scuola); the
    # comune is cached after the first request.
    expected = 18
    leonardo = alice_children[0]
    client.force_login(alice)
    client.get(_url(leonardo))
    _queries(client, _url(leonardo), django_assert_num_queries, expected)
    with scope(comune=leporano):
        for day in range(2, 21):
            meal_debit_for_day(comune=leporano, giorno=datetime.date(2026, 11, day))
        assenza_create(consumatore=leonardo, dal=TUESDAY, al=datetime.date(2026, 11, 30), registrata_da=alice)
        for n in range(30):
            movimento_register(consumatore=leonardo, servizio=Servizio.MENSA, tipo=TipoMovimento.RICARICA_PAGOPA,
                               importo=Decimal("5.00"), data_valuta=MONDAY, chiave=f"avviso:{n}")
    _queries(client, _url(leonardo), django_assert_num_queries, expected)
    _queries(client, _url(leonardo, "2027-02"), django_assert_num_queries, expected)
