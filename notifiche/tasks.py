"""Thin Celery tasks: a notification e-mailed, pushed to the family's devices and sent to App IO, with retries."""

from __future__ import annotations

from celery import shared_task

from omnibus.celery import ComuneTask

RETRY_COUNTDOWN = 60


@shared_task(base=ComuneTask, bind=True, name="notifiche.tasks.notifica_email", max_retries=5,
             default_retry_delay=60)
def notifica_email(self, comune, notifica_id: int) -> bool:
    """E-mail one message once; a mail server that does not answer is retried."""
    from .services import notifica_email_send

    try:
        return notifica_email_send(notifica_id=notifica_id)
    except OSError as error:  # SMTP down or refusing: try again later
        raise self.retry(exc=error) from error


@shared_task(base=ComuneTask, name="notifiche.tasks.push_notifica", bind=True, max_retries=5)
def push_notifica(self, comune, notifica_id: int) -> dict:
    from .models import Notifica
    from .push import push_deliver, push_fanout, push_give_up

    notifica = Notifica.objects.select_related("user", "comune").filter(pk=notifica_id).first()
    if notifica is None:
        return {}
    push_fanout(notifica=notifica)
    esito = push_deliver(notifica=notifica)
    if esito.da_ritentare:
        if self.request.retries >= self.max_retries:
            push_give_up(notifica=notifica)
        else:
            # 429, 5xx, timeouts: the same task again later; what was delivered is not sent again.
            raise self.retry(args=(comune.pk, notifica_id), countdown=RETRY_COUNTDOWN * (2 ** self.request.retries))
    return esito.__dict__


@shared_task(base=ComuneTask, name="notifiche.tasks.io_notifica", bind=True, max_retries=5)
def io_notifica(self, comune, notifica_id: int, ambito: str = "mensa", pagamento: dict | None = None) -> str:
    from .io.client import IOTransient
    from .io.invio import io_give_up, io_send
    from .models import Notifica

    notifica = Notifica.objects.select_related("user", "comune").filter(pk=notifica_id).first()
    if notifica is None:
        return ""
    try:
        messaggio = io_send(notifica=notifica, ambito=ambito, pagamento=pagamento)
    except IOTransient as exc:
        if self.request.retries >= self.max_retries:
            io_give_up(notifica=notifica, reason=f"IO non raggiungibile: {exc}")
            return "fallito"
        raise self.retry(args=(comune.pk, notifica_id, ambito, pagamento),
                         countdown=RETRY_COUNTDOWN * (2 ** self.request.retries)) from exc
    return messaggio.stato if messaggio else ""
