"""While a family waits, pagoPA is tried once; when it did not answer, the next families are not kept waiting.

The portal serves with a few sync processes (gunicorn.conf.py): a family's checkout that waited the whole
time-out three times (GPD_ATTEMPTS) would hold one of them for it, and a handful of families paying during
a pagoPA outage would hold them all. The fake server is the contract's (tests/pagamenti/fake_pagopa.py,
facts in pagopa_contratti.py); "slow" answers after the client's time-out, "500" answers a ProblemJson at once.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope

from pagamenti.models import Posizione, StatoPosizione
from pagamenti.pagopa import gpd
from pagamenti.pagopa.services import RigaCarrello
from pagamenti.tasks import posizione_publish_task, posizioni_poll_task
from tests.factories import ClasseFactory, ConsumatoreFactory, TutoreFactory, UserFactory

from .conftest import gpd_config, new_position
from .fake_pagopa import FakePagoPA
from .helpers import add_to_cart, checkout, url

NON_RAGGIUNGIBILE = "non è al momento raggiungibile"


@pytest.fixture
def giada(leporano):
    """Another family of Leporano, paying at the same time as Alice."""
    user = UserFactory(email="giada@example.org", first_name="Giada", last_name="Putignano")
    classe = ClasseFactory(comune=leporano, anno=2, sezione="A")
    child = ConsumatoreFactory(comune=leporano, nome="Matteo", cognome="Putignano", classe=classe)
    TutoreFactory(comune=leporano, consumatore=child, utente=user, nome="Giada", cognome="Putignano")
    return user, child


def _pay_online(client, user, child, importo="20.00", comune="leporano"):
    client.force_login(user)
    add_to_cart(client, child, importo, comune=comune)
    response, _ = checkout(client, "online", comune=comune)
    assert response.status_code == 302
    return response


def _latest(comune, user) -> Posizione:
    with scope(comune=comune):
        return Posizione.objects.filter(utente=user).latest("pk")


def test_a_family_waits_for_one_try_and_the_next_families_not_at_all(
    client, pagopa, leporano, alice, alice_children, giada, charlie, charlie_child, pulsano
):
    gpd_config(leporano, pagopa)
    pagopa.mode = "slow"  # pagoPA takes the connection and does not answer within the time-out

    response = _pay_online(client, alice, alice_children[0])
    mine = _latest(leporano, alice)
    assert response["Location"] == url("posizione", token=mine.token)
    # One try while she waits, not GPD_ATTEMPTS: the background task keeps the retries.
    assert len(pagopa.operations("gpd_create")) == 1 and gpd.GPD_ATTEMPTS > 1
    assert NON_RAGGIUNGIBILE in client.get(response["Location"]).content.decode()
    assert mine.stato == StatoPosizione.IN_ATTESA and mine.pubblicata_il is None and mine.tentativi == 1

    # Giada pays a moment later: pagoPA is not called, she gets her avviso's page at once.
    utente, figlio = giada
    calls = len(pagopa.requests)
    response = _pay_online(client, utente, figlio, "15.00")
    hers = _latest(leporano, utente)
    assert len(pagopa.requests) == calls
    assert response["Location"] == url("posizione", token=hers.token)
    assert NON_RAGGIUNGIBILE in client.get(response["Location"]).content.decode()
    assert hers.stato == StatoPosizione.IN_ATTESA and hers.pubblicata_il is None
    assert hers.tentativi == 0 and hers.ultimo_errore == ""  # no call was made: no attempt to count

    # A comune on another pagoPA host is not paused by this one.
    other = FakePagoPA()
    try:
        gpd_config(pulsano, other)
        response = _pay_online(client, charlie, charlie_child, comune="pulsano")
        assert response["Location"].startswith("https://checkout.example/c/")
        assert [r["operation"] for r in other.requests] == ["gpd_create", "checkout_cart"]
    finally:
        other.stop()

    # pagoPA is back: the worker's task still calls during the pause, publishes Giada's notice and ends it.
    pagopa.mode = "ok"
    assert posizione_publish_task.delay(leporano.pk, hers.pk).get() is True
    with scope(comune=leporano):
        hers.refresh_from_db()
    assert hers.pubblicata_il is not None
    response = _pay_online(client, alice, alice_children[1], "10.00")
    assert response["Location"].startswith("https://checkout.example/c/")
    assert not pagopa.refused


def test_an_error_answered_at_once_is_tried_once_and_pauses_nothing(client, pagopa, leporano, alice, alice_children,
                                                                     giada):
    gpd_config(leporano, pagopa)
    pagopa.mode = "500"  # gpd.json: a ProblemJson, at once

    _pay_online(client, alice, alice_children[0])
    assert len(pagopa.operations("gpd_create")) == 1
    utente, figlio = giada
    response = _pay_online(client, utente, figlio, "15.00")
    assert len(pagopa.operations("gpd_create")) == 2  # it answered: the next family's call is made
    assert NON_RAGGIUNGIBILE in client.get(response["Location"]).content.decode()


def test_a_family_giving_up_while_pagopa_is_silent_is_told_and_keeps_the_notice(
    client, pagopa, posizione_gpd, leporano, alice
):
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.pubblicata_il is not None  # published by the worker: payable at a PSP
    client.force_login(alice)
    annulla = url("posizione_annulla", token=posizione_gpd.token)
    pagopa.mode = "slow"
    page = client.post(annulla, follow=True).content.decode()
    assert "pagoPA non è al momento raggiungibile" in page
    assert len(pagopa.operations("gpd_invalidate")) == 1
    # A second tap within the pause calls nobody and says the same; the notice stays payable.
    page = client.post(annulla, follow=True).content.decode()
    assert "pagoPA non è al momento raggiungibile" in page
    assert len(pagopa.operations("gpd_invalidate")) == 1
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.stato == StatoPosizione.IN_ATTESA
    assert posizione_gpd.ultimo_errore.startswith("GPD POST")

    # Once pagoPA answers again, the same tap invalidates it.
    pagopa.mode = "ok"
    assert posizioni_poll_task.delay(leporano.pk).get() == 0  # the worker reads its state: an answer ends the pause
    client.post(annulla)
    with scope(comune=leporano):
        posizione_gpd.refresh_from_db()
    assert posizione_gpd.stato == StatoPosizione.ANNULLATA
    assert len(pagopa.operations("gpd_invalidate")) == 2


def test_a_clerk_cancelling_many_while_pagopa_is_silent_waits_for_one_try(
    client, pagopa, leporano, alice, alice_children, bob, django_capture_on_commit_callbacks
):
    gpd_config(leporano, pagopa)
    posizioni = [new_position(leporano, alice, [RigaCarrello(alice_children[n % 2], "mensa", Decimal("10.00"))],
                              chiave=f"k{n}", capture=django_capture_on_commit_callbacks) for n in range(3)]
    assert len(pagopa.operations("gpd_create")) == 3
    pagopa.mode = "slow"
    client.force_login(bob)
    page = client.post("/admin/pagamenti/posizione/", {
        "action": "annulla_posizioni", "_selected_action": [p.pk for p in posizioni],
    }, follow=True).content.decode()
    assert "non raggiungibile, riprovare: 3." in page and "Posizioni annullate: 0." in page
    assert len(pagopa.operations("gpd_invalidate")) == 1  # the first did not answer: the others were not tried
    with scope(comune=leporano):
        assert set(Posizione.objects.values_list("stato", flat=True)) == {StatoPosizione.IN_ATTESA}
