"""Canteen attendance taken on the operator's device, possibly offline, synced in batches."""

from __future__ import annotations

from django.utils import timezone

from comuni.models import Comune, User
from omnibus import stamps
from pwa.models import ServizioTocco
from pwa.services import TapInput, tocchi_register

from .models import Presenza


def presenze_sync(*, comune: Comune, taps: list[TapInput], registrata_da: User) -> dict:
    """Record the taps once each; the latest per child and day becomes the day's Presenza."""

    def apply(winners: list[TapInput]) -> None:
        now = timezone.now()
        Presenza.objects.bulk_create(
            [Presenza(comune=comune, consumatore_id=tap.consumatore_id, giorno=tap.giorno, presente=tap.valore,
                      registrata_da=registrata_da, registrata_il=now) for tap in winners],
            update_conflicts=True, unique_fields=["consumatore", "giorno"],
            update_fields=["presente", "registrata_da", "registrata_il"],
        )
        stamps.consumatori_changed(tap.consumatore_id for tap in winners)  # bulk_create(): no model signal

    return tocchi_register(comune=comune, servizio=ServizioTocco.MENSA, taps=taps, registrato_da=registrata_da,
                           applica=apply)
