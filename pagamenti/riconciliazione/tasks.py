"""Thin Celery tasks: import the gateway's folder, re-match open anomalies (registered via pagamenti.tasks)."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.conf import settings

from omnibus.celery import ComuneTask


@shared_task
def fdr_cartella_import() -> int:
    """Beat entry point: import the flows in FDR_IMPORT_DIR, then re-match every comune's open payments."""
    from .cartella import cartella_import

    cartella = getattr(settings, "FDR_IMPORT_DIR", "")
    importati = 0
    if cartella and Path(cartella).is_dir():
        importati = sum(1 for r in cartella_import(cartella=Path(cartella)) if r.esito.creato)
    fdr_rematch_all()
    return importati


def fdr_rematch_all() -> None:
    from django_scopes import scopes_disabled

    from .models import PagamentoRendicontato, StatoRiconciliazione

    with scopes_disabled():
        comuni = set(PagamentoRendicontato.objects.filter(stato=StatoRiconciliazione.SENZA_RICEVUTA)
                     .values_list("comune_id", flat=True).distinct())
    for comune_id in comuni:
        fdr_rematch_task.delay(comune_id)


@shared_task(base=ComuneTask)
def fdr_rematch_task(comune) -> int:
    from .services import rendicontazione_rematch

    return rendicontazione_rematch(comune=comune)
