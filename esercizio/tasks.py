"""Beat's watchdog over the jobs the alerts watch (esercizio.alerts)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="esercizio.tasks.lavori_check_task", ignore_result=True)
def lavori_check_task() -> dict:
    from .alerts import lavori_check

    return lavori_check()
