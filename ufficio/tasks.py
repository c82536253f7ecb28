"""Thin Celery tasks of the school office."""

from __future__ import annotations

from celery import shared_task

from omnibus.celery import ComuneTask


@shared_task(base=ComuneTask, bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def invio_solleciti_task(self, comune, invio_id: int) -> int:
    """Send one job's reminders; a retry resumes where it stopped and never sends a level twice."""
    from .models import InvioSolleciti
    from .solleciti import invio_run

    invio = InvioSolleciti.objects.select_related("comune").filter(pk=invio_id).first()
    if invio is None:
        return 0
    return invio_run(invio=invio).inviati


@shared_task(base=ComuneTask, acks_late=True)
def esportazione_task(comune, esportazione_id: int) -> bool:
    """Prepare a long report in the background."""
    from .esportazioni import esportazione_run
    from .models import Esportazione

    esportazione = Esportazione.objects.select_related("comune").filter(pk=esportazione_id).first()
    if esportazione is None:
        return False
    esportazione_run(esportazione=esportazione)
    return True
