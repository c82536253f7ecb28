"""The kitchen count split by diet and "in bianco", with the names of the children on a sanitary diet."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scope

from mensa.cucina import conteggio_csv
from mensa.menu.diete import dieta_consumatore_assign
from mensa.menu.in_bianco import pasto_in_bianco_create, pasto_in_bianco_withdraw
from mensa.selectors import conteggio_cucina, conteggio_per_scuola
from tests.factories import ClasseFactory, ConsumatoreFactory

from ..conftest import MONDAY, rome
from ..factories import IscrizioneMensaFactory

SETTEMBRE = datetime.date(2026, 9, 1)


@pytest.fixture
def scuola(leporano, alice, alice_children, mensa_alice, menu, clock):
    """Alice's two children and three classmates: one gluten-free, one without pork, one bland on Monday."""
    classe = alice_children[0].classe
    others = [ConsumatoreFactory(comune=leporano, nome=n, cognome="Rossi", classe=classe)
              for n in ("Anna", "Bruno", "Carla")]
    for child in others:
        IscrizioneMensaFactory(comune=leporano, consumatore=child, tariffa=mensa_alice)
    with scope(comune=leporano):
        dieta_consumatore_assign(consumatore=alice_children[1], tipo=menu.senza_glutine, data_inizio=SETTEMBRE)
        dieta_consumatore_assign(consumatore=others[0], tipo=menu.senza_maiale, data_inizio=SETTEMBRE)
        # A diet that ended before Monday does not count.
        dieta_consumatore_assign(consumatore=others[1], tipo=menu.senza_glutine, data_inizio=SETTEMBRE,
                                 data_fine=datetime.date(2026, 11, 20))
        pasto_in_bianco_create(consumatore=others[2], giorno=MONDAY, registrato_da=alice)
        pasto_in_bianco_create(consumatore=alice_children[1], giorno=MONDAY, registrato_da=alice)
    return others


def test_it_splits_the_meals_by_diet_and_bland_in_three_queries(leporano, scuola, django_assert_num_queries):
    with scope(comune=leporano), django_assert_num_queries(3):
        righe = conteggio_cucina(comune=leporano, giorno=MONDAY)
    assert [(r.dieta, r.pasti, r.nomi) for r in righe] == [
        ("", 2, []),
        ("Senza glutine, in bianco", 1, ["Lacaita Sofia"]),
        ("Senza maiale", 1, []),  # an ethical diet: counted, no names needed
        ("in bianco", 1, []),
    ]
    [riepilogo] = conteggio_per_scuola(righe)
    assert riepilogo.pasti == 5
    assert riepilogo.per_dieta[0] == ("", 2)


def test_the_query_count_does_not_grow_with_children_or_diets(leporano, scuola, menu, mensa_alice,
                                                              django_assert_num_queries):
    classe = ClasseFactory(comune=leporano, anno=4, sezione="A", scuola=scuola[0].classe.scuola)
    for n in range(8):
        child = ConsumatoreFactory(comune=leporano, nome=f"Bimbo{n}", cognome="Verdi", classe=classe)
        IscrizioneMensaFactory(comune=leporano, consumatore=child, tariffa=mensa_alice)
        with scope(comune=leporano):
            dieta_consumatore_assign(consumatore=child, tipo=menu.senza_glutine, data_inizio=SETTEMBRE)
            dieta_consumatore_assign(consumatore=child, tipo=menu.senza_maiale, data_inizio=SETTEMBRE)
    with scope(comune=leporano), django_assert_num_queries(3):
        righe = conteggio_cucina(comune=leporano, giorno=MONDAY)
    both = [r for r in righe if r.classe == "4ª A"]
    assert [(r.dieta, r.pasti, len(r.nomi)) for r in both] == [("Senza glutine, Senza maiale", 8, 8)]
    assert sum(r.pasti for r in righe) == 13


def test_a_bland_meal_withdrawn_or_asked_after_the_cut_off_is_not_counted(leporano, alice, scuola, clock):
    with scope(comune=leporano):
        pasto_in_bianco_withdraw(consumatore=scuola[2], giorno=MONDAY, annullato_da=alice,
                                 now=rome(MONDAY, 8, 30))
        righe = conteggio_cucina(comune=leporano, giorno=MONDAY)
    assert "in bianco" not in [r.dieta for r in righe]


def test_the_csv_names_the_children_and_totals_each_school(leporano, scuola):
    with scope(comune=leporano):
        text = conteggio_csv(conteggio_cucina(comune=leporano, giorno=MONDAY))
    assert "Senza glutine, in bianco;1;Lacaita Sofia" in text
    assert ";TOTALE SCUOLA;Senza maiale;1;" in text
    assert text.rstrip().endswith("TOTALE;;;5;")


def test_the_page_and_the_pdf_show_the_diets(client, bob, scuola):
    client.force_login(bob)
    body = client.get("/leporano/mensa/cucina/?giorno=2026-11-23").content.decode()
    assert "Senza glutine, in bianco" in body and "Lacaita Sofia" in body
    assert 'data-testid="riepilogo-scuole"' in body
    assert client.get("/leporano/mensa/cucina/pasti.pdf?giorno=2026-11-23").content.startswith(b"%PDF")


def test_another_comunes_staff_see_nothing_of_it(client, dora, scuola):
    client.force_login(dora)
    assert client.get("/leporano/mensa/cucina/?giorno=2026-11-23").status_code in (403, 404)
    body = client.get("/pulsano/mensa/cucina/?giorno=2026-11-23").content.decode()
    assert "Lacaita" not in body
