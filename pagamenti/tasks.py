"""Thin Celery tasks: publish positions, poll pending ones, e-mail avvisi."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from omnibus.celery import ComuneTask

POLL_BATCH = 500
POLL_AFTER_DUE_DAYS = 15


@shared_task(base=ComuneTask, bind=True, max_retries=8, default_retry_delay=60)
def posizione_publish_task(self, comune, posizione_id: int) -> bool:
    """Publish a pending position; only a gateway that failed is tried again. A position paid, cancelled
    or expired meanwhile (at a PuntoLIS counter, by the family, by the office) ends the task: there is
    nothing left to publish, and retrying it would only fill the worker's log."""
    from .models import Posizione, StatoPosizione
    from .pagopa.services import posizione_publish

    posizione = Posizione.objects.filter(pk=posizione_id).first()
    if posizione is None or posizione.stato != StatoPosizione.IN_ATTESA:
        return False
    if posizione_publish(posizione=posizione):
        return True
    # Closed while we were calling the gateway: nothing to retry either.
    if Posizione.objects.filter(pk=posizione_id, stato=StatoPosizione.IN_ATTESA).exists() and not self.request.is_eager:
        raise self.retry(countdown=60 * (self.request.retries + 1))
    return False


@shared_task(base=ComuneTask)
def posizioni_poll_task(comune) -> int:
    """Ask the gateway about this comune's pending positions; failures stay pending for the next run."""
    from .models import Posizione, StatoPosizione
    from .pagopa.gateway import GatewayError
    from .pagopa.services import posizione_poll

    credited = 0
    pending = Posizione.objects.filter(stato=StatoPosizione.IN_ATTESA).order_by("creata_il")[:POLL_BATCH]
    for posizione in pending:
        try:
            if posizione_poll(posizione=posizione) is not None:
                credited += 1
        except GatewayError:
            continue
    return credited


@shared_task
def posizioni_poll_all() -> int:
    """Beat entry point: one polling task per comune with pending positions."""
    from django_scopes import scopes_disabled

    from .models import Posizione, StatoPosizione

    # A position paid on its last day may be read after it: look a while past the due date, until the
    # gateway itself says it expired (GPD's switchToExpired) or the sandbox closes it.
    since = timezone.localdate() - datetime.timedelta(days=POLL_AFTER_DUE_DAYS)
    with scopes_disabled():
        comuni = set(
            Posizione.objects.filter(stato=StatoPosizione.IN_ATTESA, scadenza__gte=since)
            .values_list("comune_id", flat=True).distinct()
        )
    for comune_id in comuni:
        posizioni_poll_task.delay(comune_id)
    return len(comuni)


@shared_task(base=ComuneTask, bind=True, max_retries=5, default_retry_delay=120)
def avviso_email_task(self, comune, posizione_id: int, email: str, lingua: str = "it") -> None:
    from .models import Posizione
    from .pagopa.avviso import avviso_send

    posizione = Posizione.objects.get(pk=posizione_id)
    try:
        avviso_send(posizione=posizione, email=email, lingua=lingua)
    except OSError as error:
        raise self.retry(exc=error) from error


# The reconciliation's tasks live in their subpackage; importing them registers them with Celery.
from pagamenti.riconciliazione.tasks import (  # noqa: E402, F401
    fdr_api_sync_all,
    fdr_api_sync_task,
    fdr_cartella_import,
    fdr_rematch_task,
)


@shared_task
def saldi_consolida_task() -> int:
    """Beat entry point, every hour: fold the new movements into the accounts' sums."""
    from .consolidamento import saldi_consolida

    return saldi_consolida()


@shared_task
def partizioni_prepara_task() -> list[str]:
    """Beat entry point, every night: the ledger's partitions of this and next school year (PostgreSQL)."""
    from .partizioni import partizioni_prepara

    return partizioni_prepara()
