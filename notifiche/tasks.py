"""Thin Celery tasks: a notification e-mailed, pushed to the family's devices and sent to App IO, with retries."""

from __future__ import annotations

from celery import shared_task

from omnibus.celery import ComuneTask

RETRY_COUNTDOWN = 60


# Nobody reads these tasks' results: ignore_result spares the result backend a write per task and the
# sender a subscription to each task's result channel (Redis backend).
@shared_task(base=ComuneTask, name="notifiche.tasks.notifica_consegna", ignore_result=True)
def notifica_consegna(comune, notifica_id: int, email: bool = True, ambito_io: str = "mensa",
                      pagamento: dict | None = None) -> dict:
    """A message alone in its transaction: e-mail, push and App IO in one run (notifiche.consegna)."""
    from .consegna import notifica_consegna_run

    return notifica_consegna_run(comune=comune, notifica_id=notifica_id, email=email, ambito_io=ambito_io,
                                 pagamento=pagamento)


@shared_task(base=ComuneTask, bind=True, name="notifiche.tasks.notifica_email", max_retries=5,
             default_retry_delay=60, ignore_result=True)
def notifica_email(self, comune, notifica_id: int) -> bool:
    """E-mail one message once; a mail server that does not answer is retried."""
    from .services import notifica_email_send

    try:
        return notifica_email_send(notifica_id=notifica_id)
    except OSError as error:  # SMTP down or refusing: try again later
        raise self.retry(exc=error) from error


def _push(task, comune, notifiche_ids: list[int], retry_args) -> dict:
    from .push_invio import push_deliver, push_fanout, push_give_up

    push_fanout(notifiche_ids=notifiche_ids)
    esito = push_deliver(notifiche_ids=notifiche_ids)
    if esito.da_ritentare:
        if task.request.retries >= task.max_retries:
            push_give_up(notifiche_ids=esito.notifiche_da_ritentare)
        else:
            # 429, 5xx, timeouts: the same task again later; what was delivered is not sent again.
            raise task.retry(args=retry_args(esito.notifiche_da_ritentare),
                             countdown=RETRY_COUNTDOWN * (2 ** task.request.retries))
    return {k: v for k, v in esito.__dict__.items() if k != "notifiche_da_ritentare"}


@shared_task(base=ComuneTask, name="notifiche.tasks.push_notifiche", bind=True, max_retries=5,
             ignore_result=True)
def push_notifiche(self, comune, notifiche_ids: list[int]) -> dict:
    """The notifications committed together, pushed to every device of their recipients in one pass."""
    return _push(self, comune, notifiche_ids, lambda pending: (comune.pk, pending))


@shared_task(base=ComuneTask, name="notifiche.tasks.push_notifica", bind=True, max_retries=5,
             ignore_result=True)
def push_notifica(self, comune, notifica_id: int) -> dict:
    return _push(self, comune, [notifica_id], lambda pending: (comune.pk, notifica_id))


@shared_task(base=ComuneTask, name="notifiche.tasks.io_notifiche", ignore_result=True)
def io_notifiche(comune, voci: list) -> int:
    """The notifications committed together: those IO cannot take (no service or key, no verified codice
    fiscale) are recorded in bulk; each of the others goes through io_notifica (profile check, message,
    its own retries). Returns how many were handed on."""
    from .io.invio import io_sort

    da_inviare = io_sort(voci=voci)
    for notifica_id, ambito, pagamento in da_inviare:
        io_notifica.delay(comune.pk, notifica_id, ambito, pagamento)
    return len(da_inviare)


@shared_task(base=ComuneTask, name="notifiche.tasks.io_notifica", bind=True, max_retries=5,
             ignore_result=True)
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


@shared_task(name="notifiche.tasks.consegne_in_sospeso", ignore_result=True)
def consegne_in_sospeso() -> dict[str, int]:
    """Beat, every minute: the outbox's messages the broker could not take at commit, published again, and
    the other apps' work kept for the broker (the office's queued reminder jobs): omnibus.publish's sweepers."""
    from omnibus.publish import sweepers_run

    return sweepers_run()
