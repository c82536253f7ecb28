"""Boardings marked offline on the assistant's phone, synced in batches, recorded once."""

from __future__ import annotations

import datetime
import json
import uuid

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from pwa.models import EsitoTocco, Tocco
from tests.factories import UserFactory, totp_activate
from trasporto.models import Salita

from .factories import LineaFactory
from .test_bordo import _setup


def _url(linea):
    return reverse("trasporto:bordo_sincronizza", kwargs={"comune": linea.comune.slug, "pk": linea.pk})


def tap(iscrizione, salito: bool, minute: int, tratta="andata", **extra) -> dict:
    oggi = timezone.localdate()
    # Today, before now (a device time ahead of the server's is refused): `minute` orders the taps.
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    registrato_il = midnight + (now - midnight) * minute / 60
    body = {"id": str(uuid.uuid4()), "iscrizione": iscrizione.pk, "tratta": tratta, "giorno": oggi.isoformat(),
            "salito": "1" if salito else "0", "registrato_il": registrato_il.isoformat()}
    body.update(extra)
    return body


def sync(client, linea, taps):
    return client.post(_url(linea), json.dumps({"tocchi": taps}), content_type="application/json")


def test_boardings_sync_once_and_the_latest_tap_wins(client, linea, enrol, alice_children):
    driver, andata, ritorno = _setup(linea, enrol, alice_children)
    client.force_login(driver)
    on, off = tap(andata, True, 10), tap(andata, False, 5)
    answers = sync(client, linea, [on, off]).json()["esiti"]
    assert [(a["esito"], a["applicato"]) for a in answers] == [("accettato", True), ("accettato", False)]
    assert [a["esito"] for a in sync(client, linea, [on, off]).json()["esiti"]] == ["gia_registrato"] * 2
    with scope(comune=linea.comune):
        salita = Salita.objects.get()
        assert (salita.iscrizione, salita.tratta, salita.registrata_da) == (andata, "andata", driver)
        assert Tocco.objects.filter(esito=EsitoTocco.SUPERATO).count() == 1
    # Unmarked later (the pupil got off before departure): the boarding goes, the trail stays.
    sync(client, linea, [tap(andata, False, 20)])
    with scope(comune=linea.comune):
        assert not Salita.objects.exists()
        assert Tocco.objects.count() == 3


def test_it_refuses_other_routes_trips_and_days(client, leporano_trasporto, linea, enrol, alice_children):
    driver, andata, ritorno = _setup(linea, enrol, alice_children)
    client.force_login(driver)
    ieri = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    answers = sync(client, linea, [
        tap(ritorno, True, 1, tratta="andata"),  # enrolled for the return trip only
        tap(andata, True, 2, giorno=ieri),
        tap(andata, True, 3, tratta="volo"),
    ]).json()["esiti"]
    assert [a["motivo"] for a in answers] == ["consumatore_non_ammesso", "sessione_terminata", "dati_non_validi"]
    with scope(comune=linea.comune):
        assert not Tocco.objects.exists() and not Salita.objects.exists()


def test_another_route_or_no_session_answers_without_recording(client, leporano_trasporto, linea, enrol,
                                                                alice_children):
    driver, andata, _ = _setup(linea, enrol, alice_children)
    assert sync(client, linea, [tap(andata, True, 1)]).status_code == 401
    stranger = UserFactory(email="altro@example.org")
    totp_activate(stranger)  # the board needs the second factor
    client.force_login(stranger)
    assert sync(client, linea, [tap(andata, True, 1)]).status_code == 404
    other = LineaFactory(comune=leporano_trasporto, nome="Linea Saturo")
    with scope(comune=linea.comune):
        other.accompagnatori.add(stranger)
    # The enrolment belongs to another route: refused, not recorded.
    assert sync(client, other, [tap(andata, True, 1)]).json()["esiti"][0]["motivo"] == "consumatore_non_ammesso"
    with scope(comune=linea.comune):
        assert not Salita.objects.exists()
