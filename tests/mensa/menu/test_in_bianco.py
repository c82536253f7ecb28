""""Pasto in bianco": asked in Dettaglio like an absence, until the cut-off, confirmed, withdrawable."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scope

from mensa.assenze import assenza_create
from mensa.cutoff import CUTOFF_PASSED_ERROR
from mensa.menu.in_bianco import ASSENTE_ERROR, NON_SERVICE_DAY_ERROR
from mensa.menu.models import PastoInBianco
from notifiche.models import Notifica

from ..conftest import MONDAY, SATURDAY, TUESDAY


def _url(child, name="mensa:in_bianco_nuovo", comune="leporano"):
    return reverse(name, kwargs={"comune": comune, "pk": child.pk})


def _dettaglio(child):
    return reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) + "?mese=2026-11"


def _day(body, day):
    return body.split(f'id="g{day:%Y%m%d}"')[1].split("</li>")[0]


def _attivi(comune, child):
    with scope(comune=comune):
        return list(PastoInBianco.objects.filter(consumatore=child, annullato_il__isnull=True)
                    .values_list("giorno", flat=True))


@pytest.fixture
def family(client, clock, alice, mensa_alice):
    client.force_login(alice)
    return client


def test_it_asks_a_bland_meal_and_sees_it_confirmed_on_screen_by_email_and_in_messages(
    family, leporano, alice_children, django_capture_on_commit_callbacks
):
    child = alice_children[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = family.post(_url(child), {"giorno": TUESDAY.isoformat()}, follow=True)
    body = response.content.decode()
    assert "Pasto in bianco richiesto per Leonardo il 24/11/2026" in body
    assert "Registrato il 23/11/2026 alle 08:00 da Alice Lacaita" in body
    assert "pasto in bianco" in _day(body, TUESDAY) and "Ritira il pasto in bianco" in _day(body, TUESDAY)
    assert _attivi(leporano, child) == [TUESDAY]
    assert len(mail.outbox) == 1 and "24/11/2026" in mail.outbox[0].body
    with scope(comune=leporano):
        assert Notifica.objects.filter(consumatore=child, titolo__startswith="Pasto in bianco").count() == 1


def test_it_works_with_htmx_and_asking_twice_changes_nothing(family, leporano, alice_children):
    child = alice_children[0]
    response = family.post(_url(child), {"giorno": TUESDAY.isoformat()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="mese"' in response.content.decode()
    body = family.post(_url(child), {"giorno": TUESDAY.isoformat()}, follow=True).content.decode()
    assert "era già richiesto" in body
    assert _attivi(leporano, child) == [TUESDAY]


def test_after_the_cut_off_it_is_refused_like_an_absence(family, clock, leporano, alice_children):
    clock.set(MONDAY, 9, 0)
    body = family.post(_url(alice_children[0]), {"giorno": MONDAY.isoformat()}, follow=True).content.decode()
    assert escape(CUTOFF_PASSED_ERROR % {"giorno": "23/11/2026", "ora": "09:00"}) in body
    assert _attivi(leporano, alice_children[0]) == []


def test_a_day_without_service_or_with_an_absence_is_refused(family, leporano, alice, alice_children):
    child = alice_children[0]
    body = family.post(_url(child), {"giorno": SATURDAY.isoformat()}, follow=True).content.decode()
    assert escape(NON_SERVICE_DAY_ERROR % {"giorno": "28/11/2026"}) in body
    with scope(comune=leporano):
        assenza_create(consumatore=child, dal=TUESDAY, registrata_da=alice)
    body = family.post(_url(child), {"giorno": TUESDAY.isoformat()}, follow=True).content.decode()
    assert escape(ASSENTE_ERROR % {"giorno": "24/11/2026"}) in body
    assert _attivi(leporano, child) == []


def test_a_malformed_day_gets_a_message_naming_the_field(family, alice_children):
    body = family.post(_url(alice_children[0]), {"giorno": "31/02"}, follow=True).content.decode()
    assert "Giorno: indica una data valida" in body


def test_it_can_be_withdrawn_before_the_cut_off_only(family, clock, leporano, alice_children):
    child = alice_children[0]
    family.post(_url(child), {"giorno": MONDAY.isoformat()})
    family.post(_url(child), {"giorno": TUESDAY.isoformat()})
    body = family.post(_url(child, "mensa:in_bianco_ritira"), {"giorno": TUESDAY.isoformat()},
                       follow=True).content.decode()
    assert "Pasto in bianco ritirato" in body
    clock.set(MONDAY, 9, 30)
    body = family.post(_url(child, "mensa:in_bianco_ritira"), {"giorno": MONDAY.isoformat()},
                       follow=True).content.decode()
    assert "l&#x27;ora limite (09:00) è passata" in body
    assert _attivi(leporano, child) == [MONDAY]
    with scope(comune=leporano):
        assert PastoInBianco.objects.filter(consumatore=child).count() == 2  # the withdrawn row is kept


def test_another_family_and_another_comune_get_404(client, clock, charlie, alice_children, mensa_alice,
                                                   charlie_child, mensa_charlie, leporano):
    client.force_login(charlie)
    assert client.post(_url(alice_children[0]), {"giorno": TUESDAY.isoformat()}).status_code == 404
    assert client.post(_url(alice_children[0], comune="pulsano"), {"giorno": TUESDAY.isoformat()}).status_code == 404
    assert client.post(_url(alice_children[0], "mensa:in_bianco_ritira"),
                       {"giorno": TUESDAY.isoformat()}).status_code == 404
    assert _attivi(leporano, alice_children[0]) == []


def test_anonymous_visitors_go_to_the_login(client, alice_children, mensa_alice):
    response = client.post(_url(alice_children[0]), {"giorno": TUESDAY.isoformat()})
    assert response.status_code == 302 and response["Location"].startswith("/login/leporano/")
