"""Celery's signals: task metrics, the request id carried from a request to the tasks it queues, and the
completions of the jobs the alerts watch (esercizio.models.Esecuzione)."""

from __future__ import annotations

import time

from celery import signals
from django.utils import timezone

from omnibus.logging import request_id_var

from .metrics import TASK_DURATION, TASKS
from .models import Lavoro

HEADER = "omnibus_request_id"

# Task name -> the job its success completes; per comune when it is a ComuneTask (first argument the id).
JOBS = {
    "pagamenti.tasks.posizioni_poll_all": (Lavoro.VERIFICA_RICEVUTE, False),
    "pagamenti.tasks.posizioni_poll_task": (Lavoro.VERIFICA_RICEVUTE, True),
    "mensa.tasks.meal_debit_all": (Lavoro.ADDEBITO_PASTI, False),
    "trasporto.tasks.mensilita_debit_due": (Lavoro.MENSILITA_TRASPORTO, False),
    "pagamenti.riconciliazione.tasks.fdr_cartella_import": (Lavoro.IMPORT_FDR, False),
}

_started: dict[str, float] = {}


@signals.before_task_publish.connect(weak=False)
def _carry_request_id(headers=None, **kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@signals.task_prerun.connect(weak=False)
def _task_started(task_id=None, task=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()
    request_id_var.set(getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER)
                       if task is not None and task.request is not None else None)


@signals.task_postrun.connect(weak=False)
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None)
    name = getattr(task, "name", "?")
    if started is not None:
        TASK_DURATION.labels(name).observe(time.perf_counter() - started)
    outcome = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}.get(state or "", (state or "").lower())
    TASKS.labels(name, outcome).inc()
    request_id_var.set(None)


@signals.task_success.connect(weak=False)
def _job_completed(sender=None, **kwargs) -> None:
    job = JOBS.get(getattr(sender, "name", ""))
    if job is None:
        return
    from .alerts import job_completed

    lavoro, per_comune = job
    comune_id = None
    if per_comune and sender.request.args:
        comune_id = sender.request.args[0]
    job_completed(lavoro=lavoro, comune_id=comune_id, now=timezone.now())
