"""Bus boardings taken on the assistant's phone, possibly offline, synced in batches."""

from __future__ import annotations

from django.db.models import Q

from comuni.models import Comune, User
from omnibus import stamps
from pwa.models import ServizioTocco
from pwa.services import TapInput, tocchi_register

from .models import Salita


def salite_sync(*, comune: Comune, taps: list[TapInput], registrata_da: User) -> dict:
    """Record the taps once each; the latest per pupil, day and trip decides whether they boarded.

    `tap.oggetto` is the enrolment (Iscrizione) already checked against the route."""

    def apply(winners: list[TapInput]) -> None:
        off = [tap for tap in winners if not tap.valore]
        if off:
            condition = Q()
            for tap in off:
                condition |= Q(iscrizione_id=tap.oggetto, data=tap.giorno, tratta=tap.tratta)
            Salita.objects.filter(condition).delete()
        Salita.objects.bulk_create(
            [Salita(comune=comune, iscrizione_id=tap.oggetto, data=tap.giorno, tratta=tap.tratta,
                    registrata_da=registrata_da) for tap in winners if tap.valore],
            ignore_conflicts=True,
        )
        stamps.comune_changed(comune.pk)  # bulk_create(): no model signal

    return tocchi_register(comune=comune, servizio=ServizioTocco.TRASPORTO, taps=taps, registrato_da=registrata_da,
                           applica=apply)
