"""Writes of the tariff situation: the ISEE of a year, exemptions. Each change recomputes the
family's tariffs from the next month (past debits stay as they are)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from comuni.models import User
from consumatori.models import AnnoScolastico, Consumatore

from .applica import tariffe_ricalcola, tariffe_ricalcola_famiglia
from .models import Esenzione, SituazioneIsee


@transaction.atomic
def isee_registra(
    *, consumatore: Consumatore, anno_scolastico: AnnoScolastico, isee: Decimal | None, protocollo_dsu: str = "",
    da: User | None = None, dal: datetime.date | None = None, ricalcola: bool = True,
) -> SituazioneIsee:
    """Record the ISEE of a child for a year (None = not presented) and recompute from `dal`."""
    situazione = SituazioneIsee.objects.filter(consumatore=consumatore, anno_scolastico=anno_scolastico).first()
    situazione = situazione or SituazioneIsee(comune_id=consumatore.comune_id, consumatore=consumatore,
                                              anno_scolastico=anno_scolastico)
    situazione.isee, situazione.protocollo_dsu, situazione.aggiornata_da = isee, protocollo_dsu, da
    situazione.full_clean()
    situazione.save()
    if ricalcola:
        tariffe_ricalcola_famiglia(consumatore=consumatore, anno_scolastico=anno_scolastico, dal=dal)
    return situazione


@transaction.atomic
def esenzione_concedi(
    *, consumatore: Consumatore, anno_scolastico: AnnoScolastico, servizio: str, motivo: str, da: User | None,
    dal: datetime.date | None = None,
) -> Esenzione:
    """Exempt a child from a service's fee for the year, with a reason; applies from `dal`."""
    esenzione = Esenzione(comune_id=consumatore.comune_id, consumatore=consumatore, anno_scolastico=anno_scolastico,
                          servizio=servizio, motivo=(motivo or "").strip(), creata_da=da)
    esenzione.full_clean()
    esenzione.save()
    tariffe_ricalcola(consumatore=consumatore, anno_scolastico=anno_scolastico, dal=dal)
    return esenzione


@transaction.atomic
def esenzione_revoca(*, esenzione: Esenzione, dal: datetime.date | None = None) -> None:
    """End an exemption: the computed tariff applies again from `dal`."""
    consumatore, anno = esenzione.consumatore, esenzione.anno_scolastico
    esenzione.delete()
    tariffe_ricalcola(consumatore=consumatore, anno_scolastico=anno, dal=dal)
