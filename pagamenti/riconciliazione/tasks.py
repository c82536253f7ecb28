"""Thin Celery tasks: import the gateway's folder, re-match open anomalies (registered via pagamenti.tasks)."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from omnibus.celery import ComuneTask

logger = logging.getLogger(__name__)


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

    from .models import PagamentoRendicontato, RigaEstrattoLIS, StatoRiconciliazione, StatoRigaLIS

    with scopes_disabled():
        comuni = set(PagamentoRendicontato.objects.filter(stato=StatoRiconciliazione.SENZA_RICEVUTA)
                     .values_list("comune_id", flat=True).distinct())
        comuni |= set(RigaEstrattoLIS.objects.filter(stato=StatoRigaLIS.SENZA_RICARICA)
                      .values_list("comune_id", flat=True).distinct())
    for comune_id in comuni:
        fdr_rematch_task.delay(comune_id)


@shared_task(base=ComuneTask)
def fdr_rematch_task(comune) -> int:
    """pagoPA payments still without receipt and LIS rows still without top-up, matched again."""
    from .lis import estratti_rematch
    from .services import rendicontazione_rematch

    return rendicontazione_rematch(comune=comune) + estratti_rematch(comune=comune)


@shared_task(base=ComuneTask, bind=True, max_retries=3, default_retry_delay=300)
def fdr_api_sync_task(self, comune) -> int:
    """Import the flows newly published on the FdR API; an unreachable API is retried later."""
    from .api import FdrApiError
    from .sincronizza import fdr_api_sync

    try:
        return sum(1 for esito in fdr_api_sync(comune=comune) if esito.creato)
    except FdrApiError as error:
        logger.warning("FdR API sync of %s failed: %s", comune.slug, error)
        if self.request.is_eager:
            return 0
        raise self.retry(exc=error) from error


@shared_task
def fdr_api_sync_all() -> int:
    """Beat entry point: one sync per comune whose FdR API access is configured."""
    from django_scopes import scopes_disabled

    from .models import ConfigurazioneRiconciliazione

    with scopes_disabled():
        comuni = list(ConfigurazioneRiconciliazione.objects.exclude(fdr_api_key="").exclude(fdr_api_url="")
                      .filter(comune__attivo=True).values_list("comune_id", flat=True))
    for comune_id in comuni:
        fdr_api_sync_task.delay(comune_id)
    return len(comuni)
