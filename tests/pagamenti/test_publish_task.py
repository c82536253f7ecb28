"""The worker's publishing task retries a gateway that failed, and nothing else.

A position paid at a PSP or at a PuntoLIS counter, or cancelled by the family, before the worker got to it
has nothing left to publish: the task ends, it does not log "Retry in 60s" eight times. The task is called
in-process (Celery's direct call), where `self.retry` raises `Retry` instead of re-sending the message.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django_scopes import scope

from pagamenti.models import Posizione, StatoPosizione
from pagamenti.pagopa import gpd
from pagamenti.pagopa.services import RigaCarrello, posizione_cancel, posizione_simulate_psp_payment
from pagamenti.tasks import posizione_publish_task

from .conftest import gpd_config, new_position


def _righe(children):
    return [RigaCarrello(children[0], "mensa", Decimal("20.00"))]


def test_a_paid_position_ends_the_task_without_a_retry(config_leporano, leporano, alice, alice_children):
    posizione = new_position(leporano, alice, _righe(alice_children))  # on_commit not run: never published
    with scope(comune=leporano):
        posizione_simulate_psp_payment(posizione=posizione)
        assert Posizione.objects.get(pk=posizione.pk).stato == StatoPosizione.PAGATA
    assert posizione_publish_task(leporano.pk, posizione.pk) is False  # no Retry raised
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione.pk).pubblicata_il is None


def test_a_cancelled_position_ends_the_task_without_a_retry(config_leporano, leporano, alice, alice_children):
    posizione = new_position(leporano, alice, _righe(alice_children))
    with scope(comune=leporano):
        assert posizione_cancel(posizione=posizione) is True
    assert posizione_publish_task(leporano.pk, posizione.pk) is False
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione.pk).pubblicata_il is None


def test_a_gateway_error_is_retried_and_a_later_answer_publishes(pagopa, leporano, alice, alice_children):
    gpd_config(leporano, pagopa)
    posizione = new_position(leporano, alice, _righe(alice_children))
    pagopa.mode = "500"  # gpd.json: a ProblemJson answered at once
    with pytest.raises(Retry):
        posizione_publish_task(leporano.pk, posizione.pk)
    with scope(comune=leporano):
        failed = Posizione.objects.get(pk=posizione.pk)
    assert failed.stato == StatoPosizione.IN_ATTESA and failed.tentativi == 1 and "500" in failed.ultimo_errore

    pagopa.mode = "ok"
    assert posizione_publish_task(leporano.pk, posizione.pk) is True
    with scope(comune=leporano):
        assert Posizione.objects.get(pk=posizione.pk).pubblicata_il is not None
    assert len(pagopa.operations("gpd_create")) == gpd.GPD_ATTEMPTS + 1  # the client's own tries, then one
