"""Canteen operators: today's list class by class in their schools, one tap per child, saved at once."""

from __future__ import annotations

import pytest
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.assenze import assenza_create
from mensa.models import Presenza
from tests.conftest import PASSWORD
from tests.factories import ClasseFactory, ConsumatoreFactory, UserFactory, totp_activate

from .conftest import MONDAY, SATURDAY
from .factories import CalendarioScuolaFactory, IscrizioneMensaFactory

URL = "/leporano/mensa/operatore/"
TAP = "/leporano/mensa/operatore/presenza/"


@pytest.fixture
def operatore(leporano, alice_children):
    user = UserFactory(email="operatore@example.org", first_name="Ornella", last_name="Mensa")
    with scope(comune=leporano):
        scuola = alice_children[0].classe.scuola
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA, scuole=[scuola])
    totp_activate(user)
    return user


@pytest.fixture
def other_school_child(leporano, alice_children, mensa_alice):
    with scope(comune=leporano):
        cal = alice_children[0].classe.scuola.calendari_mensa.get().calendario
        anno = alice_children[0].classe.anno_scolastico
    classe = ClasseFactory(comune=leporano, anno_scolastico=anno, scuola__nome="Scuola dell'infanzia «Rodari»",
                           anno=None, sezione="A")
    CalendarioScuolaFactory(comune=leporano, calendario=cal, scuola=classe.scuola)
    child = ConsumatoreFactory(comune=leporano, nome="Elsa", cognome="Altrove", classe=classe)
    IscrizioneMensaFactory(comune=leporano, consumatore=child, tariffa=mensa_alice)
    return child


def test_an_operator_lands_on_the_attendance_page_after_login(client, clock, operatore):
    from tests.comuni.test_secondo_fattore import totp_now

    response = client.post("/login/leporano/", {"login": "operatore@example.org", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")  # operators have a second factor
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert response.status_code == 302
    assert response["Location"] == URL


def test_a_family_still_lands_in_cittadino(client, clock, alice):
    response = client.post("/login/leporano/", {"login": "alice@example.org", "password": PASSWORD})
    assert response["Location"] == "/leporano/"


def test_the_list_shows_todays_children_of_their_schools_with_diets(
    client, clock, leporano, operatore, alice, alice_children, mensa_alice, other_school_child
):
    import datetime

    from mensa.menu.diete import dieta_consumatore_assign
    from mensa.menu.models import TipoDieta

    with scope(comune=leporano):
        tipo = TipoDieta.objects.create(comune=leporano, nome="Senza glutine", categoria="sanitaria")
        dieta_consumatore_assign(consumatore=alice_children[1], tipo=tipo, data_inizio=datetime.date(2026, 9, 1))
        assenza_create(consumatore=alice_children[0], dal=MONDAY, registrata_da=alice)
    client.force_login(operator := operatore)
    assert operator
    body = client.get(URL).content.decode()
    assert "Lacaita Leonardo" in body and "Lacaita Sofia" in body
    assert "DIETA</span>" not in body  # sanity: the badge has the diet text
    assert "DIETA: Senza glutine" in body
    assert "assenza comunicata" in body
    assert "Altrove" not in body  # another school
    assert "1 pasto oggi" in body


def test_one_tap_marks_present_or_absent_and_is_saved_at_once(client, clock, leporano, operatore, alice_children,
                                                               mensa_alice):
    client.force_login(operatore)
    child = alice_children[0]
    response = client.post(TAP, {"consumatore": child.pk, "presente": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="c{child.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    with scope(comune=leporano):
        assert Presenza.objects.get(consumatore=child, giorno=MONDAY).presente is False
    response = client.post(TAP, {"consumatore": child.pk, "presente": "1"})
    assert response.status_code == 302  # without JS: back to the list
    with scope(comune=leporano):
        presenza = Presenza.objects.get(consumatore=child, giorno=MONDAY)
        assert presenza.presente is True and presenza.registrata_da == operatore


def test_a_child_of_another_school_or_comune_cannot_be_tapped(client, clock, operatore, other_school_child,
                                                              charlie_child, mensa_charlie, leporano):
    client.force_login(operatore)
    assert client.post(TAP, {"consumatore": other_school_child.pk, "presente": "1"}).status_code == 404
    assert client.post(TAP, {"consumatore": charlie_child.pk, "presente": "1"}).status_code == 404
    with scope(comune=leporano):
        assert not Presenza.objects.exists()


def test_families_and_other_comuni_staff_get_403(client, clock, alice, dora, mensa_alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.post(TAP, {"consumatore": 1, "presente": "1"}).status_code == 403
    client.force_login(dora)
    assert client.get(URL).status_code == 403


def test_a_day_without_service_says_so(client, clock, operatore, mensa_alice):
    clock.set(SATURDAY, 8)
    client.force_login(operatore)
    assert "servizio non disponibile" in client.get(URL).content.decode()


def test_the_list_runs_a_fixed_number_of_queries(client, clock, operatore, leporano, alice_children, mensa_alice,
                                                 django_assert_max_num_queries):
    client.force_login(operatore)
    for n in range(10):
        child = ConsumatoreFactory(comune=leporano, nome=f"Bimbo{n}", classe=alice_children[0].classe)
        IscrizioneMensaFactory(comune=leporano, consumatore=child, tariffa=mensa_alice)
    # + the diets of the day (mensa.menu.selectors.diete_del_giorno): at most 8 more, whatever the children
    with django_assert_max_num_queries(18):
        assert client.get(URL).status_code == 200
