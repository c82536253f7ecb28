"""Corrections: a family phones the office, an operator fixes a recent day; the debit follows, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.addebito import meal_debit_run
from mensa.assenze import assenza_create
from pagamenti.models import Movimento, TipoMovimento
from tests.factories import UserFactory, totp_activate
from tests.mensa.conftest import MONDAY, setup_mensa
from ufficio.models import CorrezionePasto

URL = reverse("ufficio:correzioni", kwargs={"comune": "leporano"})
NUOVA = reverse("ufficio:correzione_nuova", kwargs={"comune": "leporano"})
D = datetime.date


@pytest.fixture
def settimana(clock, leporano, alice, alice_children):
    """Meals of 16–20 November debited; Leonardo's absence of the 19th was recorded in time."""
    setup_mensa(leporano, alice_children)
    leonardo, sofia = alice_children
    with scope(comune=leporano):
        clock.set(D(2026, 11, 19), 7, 0)
        assenza_create(consumatore=leonardo, dal=D(2026, 11, 19), registrata_da=alice)
        for day in range(16, 21):
            meal_debit_run(comune=leporano, giorno=D(2026, 11, day))
    clock.set(MONDAY, 10, 0)
    return leonardo, sofia


def mensa_of(leporano, child, giorno):
    with scope(comune=leporano):
        return list(Movimento.objects.filter(consumatore=child, servizio="mensa", data_valuta=giorno)
                    .order_by("id").values_list("tipo", "importo"))


def correggi(client, child, giorno, presente, motivo="La famiglia ha telefonato"):
    return client.post(NUOVA, {"consumatore": child.pk, "giorno": giorno.isoformat(),
                               "presente": "si" if presente else "no", "motivo": motivo})


def errors(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_absence_phoned_in_reverses_the_meal_with_a_new_movement(bob_client, settimana, leporano, bob):
    leonardo, sofia = settimana
    giorno = D(2026, 11, 18)
    correggi(bob_client, sofia, giorno, presente=False)
    assert mensa_of(leporano, sofia, giorno) == [("pasto", Decimal("-4.10")), ("storno", Decimal("4.10"))]
    correggi(bob_client, sofia, giorno, presente=False)  # twice: nothing more
    assert len(mensa_of(leporano, sofia, giorno)) == 2
    correggi(bob_client, sofia, giorno, presente=True, motivo="Aveva mangiato, errore della famiglia")
    assert mensa_of(leporano, sofia, giorno) == [
        ("pasto", Decimal("-4.10")), ("storno", Decimal("4.10")), ("pasto", Decimal("-4.10"))]
    with scope(comune=leporano):
        registro = list(CorrezionePasto.objects.order_by("id").select_related("movimento"))
        assert [(c.presente, c.registrata_da, c.movimento.tipo if c.movimento else None) for c in registro] == [
            (False, bob, TipoMovimento.STORNO), (False, bob, None), (True, bob, TipoMovimento.PASTO)]
    page = bob_client.get(URL, {"q": "Lacaita"}).content.decode()
    assert "Aveva mangiato" in page and "Sofia" in page


def test_a_presence_phoned_in_debits_the_missing_meal(bob_client, settimana, leporano):
    leonardo, _sofia = settimana
    giorno = D(2026, 11, 19)
    assert mensa_of(leporano, leonardo, giorno) == []
    correggi(bob_client, leonardo, giorno, presente=True)
    assert mensa_of(leporano, leonardo, giorno) == [("pasto", Decimal("-4.10"))]


@pytest.mark.parametrize("giorno, motivo, atteso", [
    (D(2026, 10, 30), "x", "Giorno: Si possono correggere solo i giorni del mese in corso."),
    (D(2026, 11, 21), "x", "Giorno: In quel giorno la classe non ha il servizio mensa."),
    (D(2026, 11, 18), "   ", "Motivo:"),
])
def test_bad_corrections_name_the_field_and_change_nothing(bob_client, settimana, leporano, giorno, motivo, atteso):
    _leonardo, sofia = settimana
    response = correggi(bob_client, sofia, giorno, presente=False, motivo=motivo)
    assert response.status_code == 302
    assert any(m.startswith(atteso) for m in errors(response)), errors(response)
    with scope(comune=leporano):
        assert CorrezionePasto.objects.count() == 0
        assert not Movimento.objects.filter(tipo=TipoMovimento.STORNO).exists()


def test_malformed_input_never_fails(bob_client, settimana):
    for data in ({"consumatore": "-1"}, {"consumatore": "x" * 5000, "giorno": "9999-99-99"},
                 {"consumatore": "1", "giorno": "2026-11-18", "presente": "forse", "motivo": "m" * 5000}):
        assert bob_client.post(NUOVA, data).status_code == 302
    assert bob_client.get(URL, {"q": "x" * 1000}).status_code == 400


def test_an_operator_fixes_only_the_last_school_days(settimana, leporano):
    leonardo, sofia = settimana
    operatore = UserFactory(email="operatore@example.org")
    incarico_assign(user=operatore, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(operatore)
    client = Client()
    client.force_login(operatore)
    assert client.get(URL).status_code == 200
    correggi(client, sofia, D(2026, 11, 20), presente=False, motivo="Uscita prima di pranzo")
    assert mensa_of(leporano, sofia, D(2026, 11, 20))[-1] == ("storno", Decimal("4.10"))
    response = correggi(client, sofia, D(2026, 11, 16), presente=False)  # 6th service day back
    assert errors(response)[-1].startswith("Giorno: L'operatore può correggere solo gli ultimi 5")


def test_other_comunes_and_families_cannot_correct(settimana, dora_client, alice, charlie_child, bob_client, leporano):
    _leonardo, sofia = settimana
    family = Client()
    family.force_login(alice)
    assert family.get(URL).status_code == 403
    assert correggi(family, sofia, D(2026, 11, 18), presente=False).status_code == 403
    assert dora_client.get(URL).status_code == 403
    assert correggi(dora_client, sofia, D(2026, 11, 18), presente=False).status_code == 403
    assert correggi(bob_client, charlie_child, D(2026, 11, 18), presente=False).status_code == 404
    with scope(comune=leporano):
        assert CorrezionePasto.objects.count() == 0
