"""Thin Celery tasks: the monthly debit on each comune's debit day, then the reminders."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django_scopes import scope

from comuni.models import Comune
from omnibus.celery import ComuneTask

from .services import mensilita_debit, mensilita_due_today
from .solleciti import solleciti_trasporto_run


@shared_task(base=ComuneTask, max_retries=5, default_retry_delay=60)
def mensilita_debit_task(comune: Comune, mese: str) -> int:
    esito = mensilita_debit(comune=comune, mese=mese)
    solleciti_trasporto_run(comune=comune)
    return esito.addebitati


@shared_task(base=ComuneTask)
def solleciti_trasporto_task(comune: Comune) -> int:
    return solleciti_trasporto_run(comune=comune)


@shared_task
def mensilita_debit_due() -> list[str]:
    """Daily, from beat: enqueue the month's debit for every comune whose debit day is today."""
    enqueued = []
    for comune in Comune.objects.filter(attivo=True, data_attivazione_trasporto__isnull=False):
        with scope(comune=comune):
            mese = mensilita_due_today(comune=comune)
        if mese is not None:
            transaction.on_commit(lambda c=comune.pk, m=mese: mensilita_debit_task.delay(c, m))
            enqueued.append(f"{comune.slug}:{mese}")
    return enqueued
