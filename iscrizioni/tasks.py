"""Periodic work of the enrolment applications (thin: the services are in iscrizioni.conservazione)."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from comuni.models import Comune
from omnibus.celery import ComuneTask

from .conservazione import conservazione_applica


@shared_task(base=ComuneTask, max_retries=3, default_retry_delay=300)
def conservazione_dati_comune(comune: Comune) -> dict:
    """One comune's retention: certificates, applications, abandoned drafts, the download log (counts only)."""
    return asdict(conservazione_applica(comune=comune))


@shared_task
def conservazione_dati_all() -> int:
    """Daily, from beat: one task per comune, so that one comune's failure cannot hold back the others."""
    ids = list(Comune.objects.values_list("pk", flat=True))
    for comune_id in ids:
        conservazione_dati_comune.delay(comune_id)
    return len(ids)
