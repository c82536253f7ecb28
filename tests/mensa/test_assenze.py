"""A family cancels meals in CITTADINO → consumer → "Dettaglio", before the cut-off, and is told so."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from mensa.assenze import NON_SERVICE_DAY_ERROR, OUTSIDE_YEAR_ERROR, PERIODO_ERROR
from mensa.cutoff import CUTOFF_PASSED_ERROR
from mensa.models import Assenza
from notifiche.models import Notifica

from .conftest import MONDAY, SATURDAY, TUESDAY
from .factories import ChiusuraFactory


def _url(child, name="mensa:assenza_nuova"):
    return reverse(name, kwargs={"comune": "leporano", "pk": child.pk})


def _dettaglio(child, mese="2026-11"):
    return reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) + f"?mese={mese}"


def _assenze(comune, child, active=True):
    with scope(comune=comune):
        qs = Assenza.objects.filter(consumatore=child)
        if active:
            qs = qs.filter(annullata_il__isnull=True)
        return sorted(qs.values_list("giorno", flat=True))


@pytest.fixture
def family(client, clock, alice, mensa_alice):
    client.force_login(alice)
    return client


def test_it_cancels_tomorrow_and_sees_it_confirmed_on_screen_and_by_email(
    family, leporano, alice_children, django_capture_on_commit_callbacks
):
    child = alice_children[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = family.post(_url(child), {"dal": TUESDAY.isoformat()}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Assenza registrata per Leonardo: 24/11/2026" in body
    assert "Registrata il 23/11/2026 alle 08:00 da Alice Lacaita" in body
    assert _assenze(leporano, child) == [TUESDAY]
    assert len(mail.outbox) == 1
    assert "24/11/2026" in mail.outbox[0].body and "Alice Lacaita" in mail.outbox[0].body
    assert mail.outbox[0].to == ["alice@example.org"]
    with scope(comune=leporano):
        assert Notifica.objects.filter(user__email="alice@example.org", consumatore=child).count() == 1
    # The month shows the day as absent, with who and when.
    page = family.get(_dettaglio(child)).content.decode()
    assert "Assenza registrata il 23/11/2026 08:00 da Alice Lacaita" in page


def test_it_works_with_htmx_returning_the_month(family, leporano, alice_children):
    child = alice_children[0]
    response = family.post(_url(child), {"dal": TUESDAY.isoformat()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<section") or 'id="mese"' in body
    assert "Assenza registrata per Leonardo" in body
    assert "<html" not in body


def test_today_can_be_cancelled_until_the_cut_off(family, clock, leporano, alice_children):
    child = alice_children[0]
    clock.set(MONDAY, 8, 59, 59)
    family.post(_url(child), {"dal": MONDAY.isoformat()})
    assert _assenze(leporano, child) == [MONDAY]


def test_after_the_cut_off_nothing_is_saved_and_the_message_is_clear(family, clock, leporano, alice_children):
    child = alice_children[0]
    clock.set(MONDAY, 9, 0, 0)
    response = family.post(_url(child), {"dal": MONDAY.isoformat()}, follow=True)
    expected = str(CUTOFF_PASSED_ERROR) % {"giorno": "23/11/2026", "ora": "09:00"}
    assert expected.replace("'", "&#x27;") in response.content.decode()
    assert _assenze(leporano, child) == []
    assert mail.outbox == []


def test_a_period_cancels_only_its_service_days(family, leporano, alice_children, django_capture_on_commit_callbacks):
    child = alice_children[0]
    with django_capture_on_commit_callbacks(execute=True):
        family.post(_url(child), {"dal": "2026-12-04", "al": "2026-12-09"})
    # Fri 4, Mon 7, Wed 9 (Sat 5, Sun 6 and Tue 8, the Immacolata, have no service).
    assert _assenze(leporano, child) == [datetime.date(2026, 12, 4), datetime.date(2026, 12, 7),
                                         datetime.date(2026, 12, 9)]
    assert len(mail.outbox) == 1


def test_a_period_ending_before_it_starts_is_refused(family, leporano, alice_children):
    child = alice_children[0]
    response = family.post(_url(child), {"dal": "2026-12-09", "al": "2026-12-04"}, follow=True)
    assert str(PERIODO_ERROR) in response.content.decode()
    assert _assenze(leporano, child) == []


def test_a_day_without_service_is_refused(family, leporano, alice_children):
    child = alice_children[0]
    response = family.post(_url(child), {"dal": SATURDAY.isoformat()}, follow=True)
    assert (str(NON_SERVICE_DAY_ERROR) % {"giorno": "28/11/2026"}).replace("'", "&#x27;") in response.content.decode()
    assert _assenze(leporano, child) == []


def test_a_day_outside_the_school_year_is_refused(family, leporano, alice_children):
    child = alice_children[0]
    response = family.post(_url(child), {"dal": "2027-07-01"}, follow=True)
    assert (str(OUTSIDE_YEAR_ERROR) % {"giorno": "01/07/2027"}).replace("'", "&#x27;") in response.content.decode()
    assert _assenze(leporano, child) == []


def test_a_malformed_date_gets_a_message(family, leporano, alice_children):
    response = family.post(_url(alice_children[0]), {"dal": "domani"}, follow=True)
    assert "Indica una data valida" in response.content.decode()


def test_the_neighbours_child_is_a_404(family, charlie_child, mensa_charlie, pulsano):
    assert family.post(_url(charlie_child), {"dal": TUESDAY.isoformat()}).status_code == 404
    assert family.post(_url(charlie_child, "mensa:assenza_ritira"), {"giorno": TUESDAY.isoformat()}).status_code == 404
    assert family.get(_dettaglio(charlie_child)).status_code == 404
    assert _assenze(pulsano, charlie_child) == []


def test_charlie_cannot_cancel_alices_child_even_in_his_own_comune_url(client, clock, charlie, alice_children,
                                                                         mensa_alice):
    client.force_login(charlie)
    url = reverse("mensa:assenza_nuova", kwargs={"comune": "pulsano", "pk": alice_children[0].pk})
    assert client.post(url, {"dal": TUESDAY.isoformat()}).status_code == 404
    assert client.post(_url(alice_children[0]), {"dal": TUESDAY.isoformat()}).status_code == 404


def test_anonymous_visitors_go_to_the_login(client, alice_children, mensa_alice):
    response = client.post(_url(alice_children[0]), {"dal": TUESDAY.isoformat()})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/leporano/")


def test_a_cancellation_can_be_withdrawn_before_the_cut_off_only(
    family, clock, leporano, alice_children, django_capture_on_commit_callbacks
):
    child = alice_children[0]
    with django_capture_on_commit_callbacks(execute=True):
        family.post(_url(child), {"dal": MONDAY.isoformat()})
        response = family.post(_url(child, "mensa:assenza_ritira"), {"giorno": MONDAY.isoformat()}, follow=True)
    assert "di nuovo prenotato" in response.content.decode()
    assert _assenze(leporano, child) == []
    assert len(mail.outbox) == 2
    family.post(_url(child), {"dal": MONDAY.isoformat()})
    clock.set(MONDAY, 9, 1)
    response = family.post(_url(child, "mensa:assenza_ritira"), {"giorno": MONDAY.isoformat()}, follow=True)
    assert "ora limite" in response.content.decode()
    assert _assenze(leporano, child) == [MONDAY]


def test_cancelling_twice_changes_nothing(family, leporano, alice_children):
    child = alice_children[0]
    family.post(_url(child), {"dal": TUESDAY.isoformat()})
    response = family.post(_url(child), {"dal": TUESDAY.isoformat()}, follow=True)
    assert "già registrata" in response.content.decode()
    assert _assenze(leporano, child) == [TUESDAY]


def test_a_holiday_added_after_absences_turns_the_day_into_no_service(family, leporano, alice_children):
    child = alice_children[0]
    family.post(_url(child), {"dal": "2026-12-02"})
    ChiusuraFactory(comune=leporano, data_inizio=datetime.date(2026, 12, 2), data_fine=datetime.date(2026, 12, 2),
                    motivo="Elezioni")
    page = family.get(_dettaglio(child, "2026-12")).content.decode()
    assert 'id="g20261202"' in page
    day = page.split('id="g20261202"')[1].split("</li>")[0]
    assert "servizio non disponibile" in day
