"""Thin Celery tasks: a notification pushed to the family's devices, with retries."""

from __future__ import annotations

from celery import shared_task

from omnibus.celery import ComuneTask

RETRY_COUNTDOWN = 60


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
