"""Thin Celery tasks: the e-mail of a portal message, sent by a worker, never inside the family's request."""

from __future__ import annotations

from celery import shared_task

from omnibus.celery import ComuneTask


@shared_task(base=ComuneTask, bind=True, name="notifiche.tasks.notifica_email", max_retries=5,
             default_retry_delay=60)
def notifica_email(self, comune, notifica_id: int) -> bool:
    """E-mail one message once; a mail server that does not answer is retried."""
    from .services import notifica_email_send

    try:
        return notifica_email_send(notifica_id=notifica_id)
    except OSError as error:  # SMTP down or refusing: try again later
        raise self.retry(exc=error) from error
