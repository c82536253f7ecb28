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
