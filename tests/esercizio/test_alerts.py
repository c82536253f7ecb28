"""A nightly job not completed by its deadline: the platform admins are e-mailed once per incident and
the comune's cruscotto shows a red banner until the job completes. The clock is frozen (time-machine)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_scopes import scope

from esercizio.alerts import lavori_check
from esercizio.models import Incidente, Lavoro
from mensa.addebito import meal_debit_night
from tests.factories import UserFactory

ROME = ZoneInfo("Europe/Rome")
BANNER = "Lavori notturni non completati"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=ROME)


@pytest.fixture
def platform_admin(db):
    return UserFactory(email="piattaforma@example.org", is_staff=True, is_superuser=True)


def _cruscotto(client, bob) -> str:
    client.force_login(bob)
    return client.get("/leporano/ufficio/").content.decode()


def test_a_missed_nightly_debit_is_e_mailed_once_and_bannered_until_it_runs(
    client, leporano, pulsano, platform_admin, bob
):
    # Monday 23 November, 23:00: Sunday's debit ran; Monday's deadline (23:30) has not passed.
    with time_machine.travel(at(23, 23, 0), tick=False):
        meal_debit_night(giorno=datetime.date(2026, 11, 22))
        assert lavori_check() == {"aperti": 0, "chiusi": 0}
    # 23:35: beat never ran the 22:30 debit (nor anything): both comuni are late, e-mailed once each.
    with time_machine.travel(at(23, 23, 35), tick=False):
        meal_debit_night(giorno=datetime.date(2026, 11, 23), comuni=[pulsano])  # only Pulsano's ran
        assert lavori_check() == {"aperti": 1, "chiusi": 0}
        assert lavori_check() == {"aperti": 0, "chiusi": 0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["piattaforma@example.org"]
    assert "Addebito notturno dei pasti" in mail.outbox[0].subject and "Leporano" in mail.outbox[0].subject
    assert "23/11/2026 23:30" in mail.outbox[0].body
    incidente = Incidente.objects.get()
    assert (incidente.lavoro, incidente.comune_id, incidente.avvisati) == (Lavoro.ADDEBITO_PASTI, leporano.pk, 1)

    with time_machine.travel(at(24, 8, 0), tick=False):
        assert lavori_check() == {"aperti": 0, "chiusi": 0}  # still the same incident: no second e-mail
        page = _cruscotto(client, bob)
        assert BANNER in page and "Addebito notturno dei pasti: non completato entro le 23/11/2026 23:30" in page
        meal_debit_night(giorno=datetime.date(2026, 11, 23))  # run by hand in the morning
        assert lavori_check() == {"aperti": 0, "chiusi": 1}
        assert BANNER not in _cruscotto(client, bob)
    assert len(mail.outbox) == 1


def test_a_stopped_receipts_poll_is_noticed_by_its_silence(leporano, platform_admin):
    from pagamenti.tasks import posizioni_poll_all

    with time_machine.travel(at(23, 10, 0), tick=False):
        posizioni_poll_all.delay()  # beat's entry completes: recorded by Celery's task_success
        meal_debit_night(giorno=datetime.date(2026, 11, 22))
    with time_machine.travel(at(23, 10, 25), tick=False):
        assert lavori_check()["aperti"] == 0
    # Beat stopped at 10:00: nothing runs, nothing reports; 30 minutes later it is an incident.
    with time_machine.travel(at(23, 10, 31), tick=False):
        assert lavori_check()["aperti"] == 1
    assert "Verifica delle ricevute pagoPA" in mail.outbox[0].subject and "piattaforma" in mail.outbox[0].subject
    with time_machine.travel(at(23, 10, 40), tick=False):
        posizioni_poll_all.delay()
        assert lavori_check() == {"aperti": 0, "chiusi": 0}  # closed by the completion itself
    with scope(comune=leporano):
        assert Incidente.objects.get().chiuso_il is not None
