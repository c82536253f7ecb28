"""The operator's list shows each child's diet and the dish it eats today (the substitute)."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.menu.diete import dieta_consumatore_assign
from mensa.menu.in_bianco import pasto_in_bianco_create
from tests.factories import ConsumatoreFactory, UserFactory, totp_activate

from ..conftest import MONDAY
from ..factories import IscrizioneMensaFactory

URL = "/leporano/mensa/operatore/"
NEXT_MONDAY = datetime.date(2026, 11, 30)  # week 1 of the cycle: pasta al pomodoro, merluzzo impanato


@pytest.fixture
def operatore(leporano, alice_children):
    user = UserFactory(email="operatore@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(user)
    return user


def test_the_operator_sees_diet_substitutes_and_bland_meals(client, clock, leporano, alice, alice_children,
                                                            mensa_alice, menu, operatore):
    clock.set(NEXT_MONDAY, 7, 0)
    with scope(comune=leporano):
        dieta_consumatore_assign(consumatore=alice_children[1], tipo=menu.senza_glutine,
                                 data_inizio=datetime.date(2026, 9, 1))
        pasto_in_bianco_create(consumatore=alice_children[0], giorno=NEXT_MONDAY, registrato_da=alice)
    client.force_login(operatore)
    body = client.get(URL).content.decode()
    sofia = body.split(f'id="c{alice_children[1].pk}"')[1].split("</li>")[0]
    assert "DIETA: Senza glutine" in sofia
    assert "<strong>Pasta senza glutine al pomodoro</strong>" in sofia and "invece di Pasta al pomodoro" in sofia
    assert "Merluzzo al forno" in sofia and "Pane senza glutine" in sofia
    leonardo = body.split(f'id="c{alice_children[0].pk}"')[1].split("</li>")[0]
    assert "IN BIANCO" in leonardo and "DIETA" not in leonardo


def test_a_dish_with_an_excluded_allergen_and_no_substitute_is_flagged(client, clock, leporano, alice_children,
                                                                       mensa_alice, menu, operatore):
    clock.set(NEXT_MONDAY, 7, 0)
    with scope(comune=leporano):
        dieta_consumatore_assign(consumatore=alice_children[1], tipo=menu.senza_glutine,
                                 data_inizio=datetime.date(2026, 9, 1))
        menu.ingredienti["patate"].allergeni = ["glutine"]  # say the supplier's potatoes are breaded
        menu.ingredienti["patate"].save()
    client.force_login(operatore)
    body = client.get(URL).content.decode()
    assert "da adattare: contiene cereali contenenti glutine" in body


def test_the_list_keeps_its_query_count_with_many_diets(client, clock, leporano, alice_children, mensa_alice, menu,
                                                        operatore, django_assert_max_num_queries):
    client.force_login(operatore)
    client.get(URL)
    with django_assert_max_num_queries(18) as first:
        client.get(URL)
    for n in range(6):
        child = ConsumatoreFactory(comune=leporano, nome=f"Bimbo{n}", classe=alice_children[0].classe)
        IscrizioneMensaFactory(comune=leporano, consumatore=child, tariffa=mensa_alice)
        with scope(comune=leporano):
            dieta_consumatore_assign(consumatore=child, tipo=menu.senza_glutine, data_inizio=MONDAY)
            dieta_consumatore_assign(consumatore=child, tipo=menu.senza_maiale, data_inizio=MONDAY)
    with django_assert_max_num_queries(len(first.captured_queries) + 6):  # diets appear: their reads, once
        client.get(URL)
    with django_assert_max_num_queries(18):
        client.get(URL)
