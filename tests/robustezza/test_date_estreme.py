"""The two dates of issue 14: a month in year 9999 and an absence for 31/12/9999 answer with a message."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse
from django_scopes import scope

from mensa.models import Assenza
from omnibus.dates import DATA_FUORI_INTERVALLO_ERROR
from omnibus.formats import euro
from tests.mensa.conftest import setup_mensa


def test_a_month_in_year_9999_shows_the_current_month_with_a_message(client, clock, leporano, alice, alice_children):
    setup_mensa(leporano, alice_children)
    client.force_login(alice)
    url = reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": alice_children[0].pk})
    for mese in ("9999-12", "0000-01", "0001-01", "2026-13", "abc"):
        response = client.get(url, {"mese": mese})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Il mese indicato (mese) non è valido" in body and 'id="g20261123"' in body


def test_an_absence_for_31_12_9999_is_refused_naming_the_field(client, clock, leporano, alice, alice_children):
    setup_mensa(leporano, alice_children)
    client.force_login(alice)
    url = reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": alice_children[0].pk})
    for dal in ("9999-12-31", "31/12/9999", "0001-01-01"):
        response = client.post(url, {"dal": dal})
        assert response.status_code == 302
        text = " ".join(str(m) for m in get_messages(response.wsgi_request))
        assert "Dal:" in text and str(DATA_FUORI_INTERVALLO_ERROR) in text or "Indica una data valida" in text
        assert client.get(response.url).status_code == 200
    with scope(comune=leporano):
        assert not Assenza.objects.exists()


def test_a_nul_character_is_refused_naming_the_field(client, leporano):
    response = client.get(reverse("comune_finder"), {"q": "lepo\x00"})
    assert response.status_code == 400 and "«q»" in response.content.decode()


def test_amounts_are_written_the_italian_way():
    assert euro("5") == "5,00 €" and euro("-8.2") == "-8,20 €" and euro("1234567.5") == "1.234.567,50 €"


def test_permission_denied_is_logged_on_one_line(client, alice, leporano, settings):
    import io
    import logging

    from omnibus.logging import OneLineRefusals

    assert "one_line_refusals" in settings.LOGGING["handlers"]["console"]["filters"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(OneLineRefusals())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.force_login(alice)
        assert client.get(reverse("mensa:operatore", kwargs={"comune": "leporano"})).status_code == 403
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().strip().splitlines()
    assert lines == ["Forbidden (Permission denied): /leporano/mensa/operatore/"], lines
