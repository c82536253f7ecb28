"""Attendance taken offline on the operator's tablet, synced in batches: once per tap id, the latest
tap per child and day wins, the audit trail keeps every tap, refusals come back with their reason."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.models import Presenza
from pwa.models import EsitoTocco, Tocco
from tests.factories import UserFactory, totp_activate

from .conftest import MONDAY

URL = "/leporano/mensa/operatore/sincronizza/"


@pytest.fixture
def operatore(leporano, alice_children):
    user = UserFactory(email="operatore@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    totp_activate(user)
    return user


def tap(child, valore: bool, minute: int, **extra) -> dict:
    body = {"id": str(uuid.uuid4()), "consumatore": child.pk, "giorno": MONDAY.isoformat(),
            "presente": "1" if valore else "0", "registrato_il": f"2026-11-23T07:{minute:02d}:00+01:00"}
    body.update(extra)
    return body


def sync(client, taps):
    response = client.post(URL, json.dumps({"tocchi": taps}), content_type="application/json")
    return response


def test_a_later_tap_wins_even_when_it_arrives_first(client, clock, leporano, operatore, alice_children,
                                                      mensa_alice):
    child = alice_children[0]
    client.force_login(operatore)
    earlier, later = tap(child, False, 10), tap(child, True, 20)
    response = sync(client, [later, earlier])
    assert response.status_code == 200
    answers = {a["id"]: a for a in response.json()["esiti"]}
    assert answers[later["id"]] == {"id": later["id"], "esito": "accettato", "applicato": True}
    assert answers[earlier["id"]] == {"id": earlier["id"], "esito": "accettato", "applicato": False}
    with scope(comune=leporano):
        assert Presenza.objects.get(consumatore=child, giorno=MONDAY).presente is True
        trail = dict(Tocco.objects.values_list("uuid", "esito"))
    assert trail == {uuid.UUID(later["id"]): EsitoTocco.APPLICATO, uuid.UUID(earlier["id"]): EsitoTocco.SUPERATO}

    # An older tap synced later (another tablet came back online) is kept but changes nothing.
    stale = tap(child, False, 15)
    assert sync(client, [stale]).json()["esiti"] == [{"id": stale["id"], "esito": "accettato", "applicato": False}]
    newest = tap(child, False, 30)
    assert sync(client, [newest]).json()["esiti"][0]["applicato"] is True
    with scope(comune=leporano):
        assert Presenza.objects.get(consumatore=child, giorno=MONDAY).presente is False
        assert Tocco.objects.count() == 4


def test_a_queue_replayed_twice_is_recorded_once(client, clock, leporano, operatore, alice_children, mensa_alice):
    client.force_login(operatore)
    taps = [tap(alice_children[0], True, 10), tap(alice_children[1], False, 11)]
    sync(client, taps)
    again = sync(client, taps + [taps[0]]).json()["esiti"]
    assert [a["esito"] for a in again] == ["gia_registrato", "gia_registrato", "gia_registrato"]
    with scope(comune=leporano):
        assert Tocco.objects.count() == 2
        assert Presenza.objects.count() == 2


def test_it_refuses_what_the_operator_may_not_mark_and_says_why(
    client, clock, leporano, pulsano, operatore, alice_children, charlie_child, mensa_alice
):
    client.force_login(operatore)
    good = tap(alice_children[0], True, 10)
    taps = [
        good,
        tap(charlie_child, True, 11),  # another comune's child
        tap(alice_children[1], True, 12, giorno="2026-11-20"),  # a day whose service is over
        tap(alice_children[1], True, 13, registrato_il="2026-11-23T08:13:00"),  # no time zone
        tap(alice_children[1], True, 14, id="non-un-uuid"),
        tap(alice_children[1], True, 15, consumatore=2**70),
        tap(alice_children[1], True, 16, presente="forse"),
        "not an object", {"id": "x" * 10000},
    ]
    answers = sync(client, taps).json()["esiti"]
    assert [a["esito"] for a in answers] == ["accettato"] + ["rifiutato"] * 8
    assert [a.get("motivo") for a in answers[1:]] == [
        "consumatore_non_ammesso", "sessione_terminata", "dati_non_validi", "dati_non_validi", "dati_non_validi",
        "dati_non_validi", "dati_non_validi", "dati_non_validi",
    ]
    assert answers[1]["messaggio"].startswith("Alunno non presente nel tuo elenco")
    with scope(comune=leporano):
        assert list(Tocco.objects.values_list("uuid", flat=True)) == [uuid.UUID(good["id"])]
        assert Presenza.objects.count() == 1
    with scope(comune=pulsano):
        assert not Presenza.objects.exists()


def test_an_ended_session_or_a_family_records_nothing(client, clock, leporano, alice, alice_children, mensa_alice):
    body = [tap(alice_children[0], True, 10)]
    response = sync(client, body)
    assert response.status_code == 401
    assert response.json()["errore"] == "sessione_terminata"
    client.force_login(alice)
    assert sync(client, body).status_code == 401
    with scope(comune=leporano):
        assert not Tocco.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"tocchi": {}}', b'{"tocchi": "x"}', b"\xff\xfe",
                                  json.dumps({"tocchi": [{}] * 1001}).encode()])
def test_a_malformed_body_is_a_400(client, clock, leporano, operatore, body):
    client.force_login(operatore)
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errore"] == "corpo_non_valido"


def test_only_post_is_allowed(client, clock, operatore):
    client.force_login(operatore)
    assert client.get(URL).status_code == 405


def test_a_big_batch_takes_a_fixed_number_of_queries(client, clock, leporano, operatore, alice_children,
                                                     mensa_alice):
    client.force_login(operatore)
    sync(client, [tap(alice_children[1], True, 1)])  # the comune is cached after the first request
    with CaptureQueriesContext(connection) as small:
        sync(client, [tap(alice_children[0], True, 1)])
    many = [tap(alice_children[i % 2], i % 3 == 0, i % 60) for i in range(200)]
    with CaptureQueriesContext(connection) as big:
        response = sync(client, many)
    assert len(big) == len(small)
    assert len(response.json()["esiti"]) == 200
    with scope(comune=leporano):
        assert Tocco.objects.count() == 202  # with the warm-up tap


def test_a_device_clock_ahead_or_before_the_day_is_refused_and_the_rest_is_kept(
    client, clock, leporano, operatore, alice_children, mensa_alice
):
    """Server time is 08:00 of Monday: a tap dated 2099 would outrank every later tap of the day."""
    child = alice_children[0]
    client.force_login(operatore)
    taps = [
        tap(child, False, 0, registrato_il="2099-11-23T08:00:00+01:00"),
        tap(child, False, 0, registrato_il="2026-11-23T08:05:01+01:00"),  # 5 minutes and a second ahead
        tap(child, False, 0, registrato_il="2026-11-22T23:59:59+01:00"),  # Sunday: before the service day
        tap(child, True, 0, registrato_il="2026-11-23T08:05:00+01:00"),  # within 5 minutes: a clock a bit fast
        tap(alice_children[1], True, 30),
    ]
    answers = sync(client, taps).json()["esiti"]
    assert [(a["esito"], a.get("motivo")) for a in answers] == [
        ("rifiutato", "orario_nel_futuro"), ("rifiutato", "orario_nel_futuro"),
        ("rifiutato", "orario_prima_del_giorno"), ("accettato", None), ("accettato", None)]
    assert answers[0]["messaggio"].startswith("L'ora del dispositivo è avanti di più di 5 minuti")
    clock.set(MONDAY, 8, 10)
    later = tap(child, False, 0, registrato_il="2026-11-23T08:09:00+01:00")  # not outranked by the 2099 tap
    assert sync(client, [later]).json()["esiti"][0]["applicato"] is True
    with scope(comune=leporano):
        assert dict(Presenza.objects.values_list("consumatore_id", "presente")) == {child.pk: False,
                                                                                     alice_children[1].pk: True}
        assert Tocco.objects.count() == 3  # the refused taps have no audit row


def test_a_tap_id_another_comune_recorded_is_refused_and_writes_nothing(
    client, clock, leporano, pulsano, operatore, alice_children, charlie_child, mensa_alice
):
    """Tap ids are unique across all comuni (pwa.Tocco.uuid): a collision must not write an attendance whose
    audit row the unique index drops."""
    taken = uuid.uuid4()
    with scope(comune=pulsano):
        Tocco.objects.create(comune=pulsano, uuid=taken, servizio="mensa", consumatore=charlie_child, giorno=MONDAY,
                             valore=True, dispositivo_il=clock.now, registrato_da=UserFactory(), esito="applicato")
    client.force_login(operatore)
    collision, good = tap(alice_children[0], True, 10, id=str(taken)), tap(alice_children[1], True, 11)
    answers = sync(client, [collision, good]).json()["esiti"]
    assert [(a["esito"], a.get("motivo")) for a in answers] == [("rifiutato", "identificativo_in_uso"),
                                                               ("accettato", None)]
    with scope(comune=leporano):
        assert list(Presenza.objects.values_list("consumatore_id", flat=True)) == [alice_children[1].pk]
        assert list(Tocco.objects.values_list("uuid", flat=True)) == [uuid.UUID(good["id"])]
    with scope(comune=pulsano):
        assert Tocco.objects.get().consumatore == charlie_child
