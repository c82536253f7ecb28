"""A day's "Disdici" tapped with JavaScript (htmx) swaps only that day's row, exactly as the month shows it,
with the confirmation above the month; without JavaScript the same form still redirects to "Dettaglio"."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from mensa.models import Assenza, Presenza
from notifiche.models import Notifica

from .conftest import MONDAY, TUESDAY

ROW = f"g{TUESDAY:%Y%m%d}"


def _url(child):
    return reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": child.pk})


def _dettaglio(child):
    return reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) + "?mese=2026-11"


def _tap(client, child, day=TUESDAY, target=ROW):
    """What the browser sends when the family taps the day's "Disdici"."""
    return client.post(_url(child), {"dal": day.isoformat()}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)


def _row(html: str, row_id: str = ROW) -> str:
    """One day's <li>, its CSRF tokens blanked (each render masks the token anew)."""
    match = re.search(rf'<li [^>]*id="{row_id}">.*?</li>', html, re.S)
    assert match, f"no row {row_id}"
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', match.group(0))


@pytest.fixture
def family(client, clock, alice, mensa_alice):
    client.force_login(alice)
    return client


def test_the_days_disdici_answers_its_row_and_the_confirmation_only(family, leporano, alice_children,
                                                                  django_capture_on_commit_callbacks):
    child = alice_children[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = _tap(family, child)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="mese"' not in body and "<html" not in body  # not the month, not the page
    assert body.count("<li ") == 1 and f'id="{ROW}"' in body
    assert "Ritira l'assenza" in body and "Assenza registrata il 23/11/2026 08:00 da Alice Lacaita" in body
    # The confirmation goes where the month shows its messages, out of band.
    assert '<div id="mese-messaggi" hx-swap-oob="true">' in body
    assert "Assenza registrata per Leonardo: 24/11/2026" in body
    with scope(comune=leporano):
        assert list(Assenza.objects.filter(consumatore=child).values_list("giorno", flat=True)) == [TUESDAY]
        assert Notifica.objects.filter(consumatore=child).count() == 1
    assert len(mail.outbox) == 1


def test_the_row_is_the_one_the_month_then_shows(family, alice_children):
    child = alice_children[0]
    row = _row(_tap(family, child).content.decode())
    assert row == _row(family.get(_dettaglio(child)).content.decode())


def test_a_presence_recorded_by_the_canteen_still_wins_in_the_row_as_in_the_month(family, leporano, alice,
                                                                                  alice_children):
    child = alice_children[0]
    with scope(comune=leporano):
        Presenza.objects.create(comune=leporano, consumatore=child, giorno=TUESDAY, presente=True,
                                registrata_da=alice)
    row = _row(_tap(family, child).content.decode())
    assert "presente (rilevato in mensa)" in row and "Ritira" not in row
    assert row == _row(family.get(_dettaglio(child)).content.decode())


def test_a_refusal_from_the_row_answers_the_whole_month_in_its_place(family, clock, leporano, alice_children):
    child = alice_children[0]
    clock.set(MONDAY, 9, 0, 0)
    response = _tap(family, child, day=MONDAY, target=f"g{MONDAY:%Y%m%d}")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#mese" and response["HX-Reswap"] == "outerHTML"
    body = response.content.decode()
    assert '<section id="mese"' in body and "l&#x27;ora limite (09:00) è passata" in body
    with scope(comune=leporano):
        assert not Assenza.objects.filter(consumatore=child).exists()


def test_a_second_tap_answers_the_month_saying_nothing_changed(family, alice_children):
    child = alice_children[0]
    _tap(family, child)
    response = _tap(family, child)
    assert response["HX-Retarget"] == "#mese"
    assert "L&#x27;assenza era già registrata" in response.content.decode()


def test_the_period_form_still_answers_the_month(family, alice_children):
    child = alice_children[0]
    response = family.post(_url(child), {"dal": TUESDAY.isoformat(), "al": "2026-11-26", "mese": "2026-11"},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="mese")
    body = response.content.decode()
    assert '<section id="mese"' in body and "HX-Retarget" not in response
    assert "Assenza registrata per Leonardo: 24/11/2026, 25/11/2026, 26/11/2026" in body


def test_without_javascript_the_same_form_redirects_to_dettaglio(family, leporano, alice_children):
    child = alice_children[0]
    response = family.post(_url(child), {"dal": TUESDAY.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == _dettaglio(child) + "#mese"
    page = family.get(response["Location"]).content.decode()
    assert "Assenza registrata per Leonardo: 24/11/2026" in page
    assert "Ritira l'assenza" in _row(page)
