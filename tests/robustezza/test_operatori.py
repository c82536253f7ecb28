"""Canteen operators, bus drivers and assistants: their taps and query parameters, with malformed values."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from hypothesis import given

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.models import Presenza
from tests.factories import AnnoScolasticoFactory, UserFactory, totp_activate
from tests.mensa.conftest import setup_mensa
from trasporto.models import Salita

from .conftest import assert_answered, nasty_text, with_extremes


@pytest.fixture
def operatore(client, clock, leporano, alice_children, charlie_child):
    setup_mensa(leporano, alice_children)
    user = UserFactory(email="operatore@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(user)
    client.force_login(user)
    return client


@given(consumatore=nasty_text, presente=nasty_text, giorno=nasty_text)
@with_extremes("consumatore", "presente", "giorno")
def test_operator_taps_and_kitchen_count(operatore, leporano, charlie_child, consumatore, presente, giorno):
    assert_answered(operatore.post(reverse("mensa:presenza", kwargs={"comune": "leporano"}),
                                   {"consumatore": consumatore, "presente": presente}))
    for name in ("mensa:conteggio", "mensa:conteggio_csv", "mensa:conteggio_pdf"):
        assert_answered(operatore.get(reverse(name, kwargs={"comune": "leporano"}), {"giorno": giorno}))
    with scope(comune=leporano):
        assert all(p.giorno == timezone.localdate() for p in Presenza.objects.all())
        assert not Presenza.objects.filter(consumatore=charlie_child).exists()


@pytest.fixture
def autista(client, linea, enrol, alice_children):
    oggi = timezone.localdate()
    anno = AnnoScolasticoFactory(comune=linea.comune, nome="corrente", data_inizio=oggi - datetime.timedelta(100),
                                 data_fine=oggi + datetime.timedelta(100))
    driver = UserFactory(email="autista@example.org")
    totp_activate(driver)
    with scope(comune=linea.comune):
        linea.anno_scolastico = anno
        linea.save()
        linea.accompagnatori.add(driver)
    enrol(alice_children[0], data_inizio=oggi - datetime.timedelta(days=10))
    client.force_login(driver)
    return client


@given(tratta=nasty_text, iscrizione=nasty_text, salito=nasty_text)
@with_extremes("tratta", "iscrizione", "salito")
def test_boarding_taps(autista, linea, tratta, iscrizione, salito):
    url = reverse("trasporto:bordo_linea", kwargs={"comune": "leporano", "pk": linea.pk})
    assert_answered(autista.get(url, {"tratta": tratta}))
    assert_answered(autista.post(url, {"tratta": tratta, "iscrizione": iscrizione, "salito": salito}))
    with scope(comune=linea.comune):
        assert all(s.data == timezone.localdate() for s in Salita.objects.all())
