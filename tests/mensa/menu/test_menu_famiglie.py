"""Families see the day's and the week's menu in Dettaglio with the child's diet applied; anyone sees
the public menu of a comune with the allergen legend, and prints the month."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from mensa.menu.diete import dieta_consumatore_assign
from mensa.menu.in_bianco import pasto_in_bianco_create
from mensa.menu.variazioni import variazione_register
from pagamenti.models import Servizio, TipoMovimento
from pagamenti.services import movimento_register

from ..conftest import MONDAY, TUESDAY
from .conftest import build_menu

NEXT_MONDAY = datetime.date(2026, 11, 30)  # week 1: pasta al pomodoro, merluzzo impanato, patate, mela, pane


def _dettaglio(child, mese="2026-11"):
    return reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) + f"?mese={mese}"


def _card(body, day):
    return body.split(f'id="menu-{day:%Y%m%d}"')[1].split("</div>\n      </div>")[0]


@pytest.fixture
def celiaca(leporano, alice_children, menu):
    with scope(comune=leporano):
        dieta_consumatore_assign(consumatore=alice_children[1], tipo=menu.senza_glutine,
                                 data_inizio=datetime.date(2026, 9, 1))
    return alice_children[1]


def test_a_gluten_free_child_sees_the_substitutes_and_the_days_allergens(client, clock, alice, celiaca,
                                                                         alice_children, mensa_alice):
    clock.set(NEXT_MONDAY, 7, 0)
    client.force_login(alice)
    body = client.get(_dettaglio(celiaca, "2026-12")).content.decode()
    assert 'data-testid="diete"' in body and "Senza glutine" in body
    oggi = _card(body, NEXT_MONDAY)
    assert "<strong>Pasta senza glutine al pomodoro</strong>" in oggi and "al posto di Pasta al pomodoro" in oggi
    assert "Merluzzo al forno" in oggi and "Merluzzo impanato</strong>" not in oggi
    assert "Allergeni:</strong> Pesce" in oggi  # the substitutes hold no gluten, no egg
    assert "oggi" in oggi
    # Her brother has no diet: the menu as it is, with its allergens named.
    body = client.get(_dettaglio(alice_children[0], "2026-12")).content.decode()
    oggi = _card(body, NEXT_MONDAY)
    assert "Pasta al pomodoro" in oggi and "al posto di" not in oggi
    assert "Cereali contenenti glutine, Uova, Pesce, Latte" in oggi
    assert 'data-testid="diete"' not in body


def test_a_bland_meal_and_a_variation_show_in_the_week(client, clock, leporano, alice, bob, alice_children, menu,
                                                       mensa_alice):
    with scope(comune=leporano):
        pasto_in_bianco_create(consumatore=alice_children[0], giorno=TUESDAY, registrato_da=alice)
        variazione_register(comune=leporano, giorno=TUESDAY, livello="primaria", portata="secondo",
                            piatto=menu.piatti["Merluzzo impanato"], motivo="manca il merluzzo fresco",
                            registrata_da=bob)
    client.force_login(alice)
    body = client.get(_dettaglio(alice_children[0])).content.decode()
    martedi = _card(body, TUESDAY)
    assert "pasto in bianco" in martedi
    assert "Merluzzo impanato" in martedi and "variazione" in martedi and "Uova" in martedi
    assert "Merluzzo impanato" not in _card(body, MONDAY)


def test_the_page_with_the_week_menu_keeps_a_fixed_query_count(client, clock, leporano, alice, celiaca, menu,
                                                               mensa_alice, django_assert_num_queries, settings):
    settings.FAMILY_PAGE_CACHE_SECONDS = 0  # the render path; hits: tests/consumatori/test_page_cache.py
    # session, user, consumer, calendars, closures, absences, overrides, suspensions, enrolments,
    # meals, balances, bland meals (month and week), diets, their excluded ingredients, menu periods,
    # courses, variations, substitutes, ingredients, bus enrolments, the school calendar and closures of
    # the week's menu (from memory when the page cache is on) (the comune is cached after the first request)
    expected = 22
    client.force_login(alice)
    client.get(_dettaglio(celiaca))
    with django_assert_num_queries(expected):
        assert client.get(_dettaglio(celiaca)).status_code == 200
    with scope(comune=leporano):
        for n in range(5):
            movimento_register(consumatore=celiaca, servizio=Servizio.MENSA, tipo=TipoMovimento.RICARICA_PAGOPA,
                               importo=Decimal("5.00"), data_valuta=MONDAY, chiave=f"avviso:{n}")
        pasto_in_bianco_create(consumatore=celiaca, giorno=TUESDAY, registrato_da=alice)
        dieta_consumatore_assign(consumatore=celiaca, tipo=menu.senza_maiale, data_inizio=MONDAY)
    with django_assert_num_queries(expected):
        assert client.get(_dettaglio(celiaca)).status_code == 200
    with django_assert_num_queries(expected):
        assert client.get(_dettaglio(celiaca, "2027-02")).status_code == 200


def test_the_public_menu_shows_the_week_with_allergens_without_login(client, clock, menu, mensa_alice):
    body = client.get("/leporano/menu/?settimana=2026-11-30").content.decode()
    assert "Scuola primaria" in body and "Pasta al pomodoro" in body
    assert "Merluzzo impanato <sup" in body and ">1, 3, 4</sup>" in body
    assert 'id="legenda-allergeni"' in body and "Anidride solforosa e solfiti" in body
    assert "/leporano/menu/primaria/2026-11.pdf" in body
    # Today (23 November, week 2) by default; a malformed week falls back to it.
    for url in ("/leporano/menu/", "/leporano/menu/?settimana=nonsense"):
        body = client.get(url).content.decode()
        assert "Risotto al pomodoro" in body and "Pasta al pomodoro" not in body


def test_the_public_page_runs_a_fixed_number_of_queries(client, clock, menu, mensa_alice,
                                                         django_assert_num_queries):
    # comune, periods, courses, variations, ingredients, school calendars, closures
    with django_assert_num_queries(7):
        client.get("/leporano/menu/?settimana=2026-11-30")


def test_another_comune_shows_only_its_own_menu(client, clock, menu, pulsano):
    body = client.get("/pulsano/menu/?settimana=2026-11-30").content.decode()
    assert "Pasta al pomodoro" not in body
    assert "Per questa settimana non c" in body
    build_menu(pulsano, livello="infanzia")
    body = client.get("/pulsano/menu/?settimana=2026-11-30").content.decode()
    assert "Scuola dell&#x27;infanzia" in body and "Scuola primaria" not in body


def test_the_monthly_pdf_per_school_level(client, clock, menu):
    response = client.get("/leporano/menu/primaria/2026-12.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get("/leporano/menu/primaria/2026-13.pdf").status_code == 404
    assert client.get("/leporano/menu/liceo/2026-12.pdf").status_code == 404
    assert client.get("/leporano/menu/primaria/dicembre.pdf").status_code == 404
