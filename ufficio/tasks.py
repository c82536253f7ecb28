"""Thin Celery tasks of the school office."""

from __future__ import annotations

from celery import shared_task

from omnibus.celery import ComuneTask


@shared_task(base=ComuneTask, acks_late=True)
def invio_solleciti_task(comune, invio_id: int) -> int:
    """Start a reminder job: one task per block still to do, taken by the workers in parallel.
    Run again (a retry, a second delivery) it queues only the blocks not counted yet."""
    from .invio import invio_start
    from .models import InvioSolleciti

    invio = InvioSolleciti.objects.select_related("comune").filter(pk=invio_id).first()
    if invio is None:
        return 0
    inizi = invio_start(invio=invio)
    for inizio in inizi:
        invio_blocco_task.delay(comune.pk, invio_id, inizio)
    return len(inizi)


@shared_task(base=ComuneTask, acks_late=True)
def invio_blocco_task(comune, invio_id: int, inizio: int) -> int:
    """Send one block of a job; a block delivered twice or retried never sends a level twice."""
    from .invio import blocco_run
    from .models import InvioSolleciti

    invio = InvioSolleciti.objects.select_related("comune").filter(pk=invio_id).first()
    if invio is None:
        return 0
    return blocco_run(invio=invio, inizio=inizio)


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


@shared_task
def rimbalzi_leggi_task() -> dict[str, int]:
    """Beat entry point: read the bounce mailbox. Not a ComuneTask: one mailbox serves every comune, and
    each reminder a bounce names is marked inside its own comune's scope (ufficio.rimbalzi)."""
    import logging

    from .casella import CasellaError, casella_leggi

    try:
        conteggio = casella_leggi()
    except CasellaError as error:
        logging.getLogger(__name__).warning("%s", error)
        return {}
    return {esito.value: n for esito, n in conteggio.items()}
