"""The 09:00 rush's tap ("Disdici" on one day) in few plain queries: the school calendars kept in the process
while the comune's stamp holds, the absence stored in one INSERT on the enrolled days, and still every rule:
a closure or an enrolment changed a moment ago, a day already cancelled, an inactive child, a neighbour's."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from mensa.assenze import NOT_ENROLLED_ERROR, assenza_create
from mensa.models import Assenza, IscrizioneMensa
from notifiche.models import Notifica

from .conftest import TUESDAY
from .factories import ChiusuraFactory

WEDNESDAY, THURSDAY = TUESDAY + datetime.timedelta(1), TUESDAY + datetime.timedelta(2)


def _url(child):
    return reverse("mensa:assenza_nuova", kwargs={"comune": "leporano", "pk": child.pk})


def _tap(client, child, day):
    return client.post(_url(child), {"dal": day.isoformat()}, HTTP_HX_REQUEST="true",
                       HTTP_HX_TARGET=f"g{day:%Y%m%d}")


def _assenze(comune, child):
    with scope(comune=comune):
        return sorted(Assenza.objects.filter(consumatore=child, annullata_il__isnull=True)
                      .values_list("giorno", flat=True))


@pytest.fixture
def family(client, clock, alice, mensa_alice):
    client.force_login(alice)
    return client


def test_a_closure_added_after_a_tap_refuses_the_next_tap_on_that_day(family, leporano, alice_children):
    child = alice_children[0]
    assert _tap(family, child, TUESDAY).status_code == 200  # the calendars are now kept in the process
    chiusura = ChiusuraFactory(comune=leporano, data_inizio=WEDNESDAY, data_fine=WEDNESDAY, motivo="Elezioni")
    body = _tap(family, child, WEDNESDAY).content.decode()
    assert "il servizio non è disponibile" in body
    assert _assenze(leporano, child) == [TUESDAY]
    with scope(comune=leporano):
        chiusura.delete()
    assert _tap(family, child, WEDNESDAY).status_code == 200
    assert _assenze(leporano, child) == [TUESDAY, WEDNESDAY]


def test_a_closure_of_the_childs_class_added_after_a_tap_refuses_the_day(family, leporano, alice_children):
    child = alice_children[0]
    _tap(family, child, TUESDAY)
    with scope(comune=leporano):
        classe = child.classe
    ChiusuraFactory(comune=leporano, classe=classe, data_inizio=WEDNESDAY, data_fine=WEDNESDAY)
    assert "il servizio non è disponibile" in _tap(family, child, WEDNESDAY).content.decode()
    assert _assenze(leporano, child) == [TUESDAY]


def test_an_enrolment_ended_a_moment_ago_is_not_enrolled(family, leporano, alice_children):
    child = alice_children[0]
    _tap(family, child, TUESDAY)
    with scope(comune=leporano):
        IscrizioneMensa.objects.filter(consumatore=child).update(data_fine=TUESDAY)
    body = _tap(family, child, WEDNESDAY).content.decode()
    assert str(NOT_ENROLLED_ERROR) in body
    assert _assenze(leporano, child) == [TUESDAY]


def test_a_period_stores_and_confirms_only_the_days_not_cancelled_yet(
    leporano, alice, alice_children, mensa_alice, clock, django_capture_on_commit_callbacks
):
    child = alice_children[0]
    with scope(comune=leporano):
        child.comune = leporano
        with django_capture_on_commit_callbacks(execute=True):
            first = assenza_create(consumatore=child, dal=WEDNESDAY, registrata_da=alice)
            nuove = assenza_create(consumatore=child, dal=TUESDAY, al=THURSDAY, registrata_da=alice)
        assert [a.giorno for a in first] == [WEDNESDAY]
        assert [a.giorno for a in nuove] == [TUESDAY, THURSDAY]
        assert all(a.pk for a in nuove)  # the rows stored, with their ids
        assert set(Assenza.objects.filter(consumatore=child).values_list("pk", flat=True)) == {
            first[0].pk, *(a.pk for a in nuove)}
        assert Notifica.objects.filter(consumatore=child).count() == 2
        # Everything already cancelled: nothing stored, nothing confirmed, no error.
        assert assenza_create(consumatore=child, dal=TUESDAY, al=THURSDAY, registrata_da=alice) == []
        assert Notifica.objects.filter(consumatore=child).count() == 2
    assert len(mail.outbox) == 2


def test_an_inactive_child_is_a_404(family, leporano, alice_children):
    child = alice_children[0]
    with scope(comune=leporano):
        type(child).objects.filter(pk=child.pk).update(attivo=False)
    assert _tap(family, child, TUESDAY).status_code == 404
    assert _assenze(leporano, child) == []


def test_the_tap_runs_a_fixed_handful_of_queries(family, alice_children, django_assert_num_queries):
    child = alice_children[0]
    _tap(family, alice_children[1], TUESDAY)  # the calendars kept in the process, the session's user read once
    # session, user, the child with class and year (one join, ownership in it), SAVEPOINT, INSERT the absence
    # on its enrolled day, the accounts linked to the child (page stamps), INSERT the message, RELEASE, the
    # canteen's presence that day.
    with django_assert_num_queries(9):
        response = _tap(family, child, TUESDAY)
    assert "Assenza registrata per Leonardo: 24/11/2026" in response.content.decode()
