"""A notification's delivery in one worker run: e-mail, push, App IO, from one broker message.

notifica_send queues one Celery message per notification (notifiche.tasks.notifica_consegna); the worker
loads the message, its recipient and the family's channel preferences once and runs each channel in turn.
A channel that must be tried again later (mail server down, push service or IO throttling) hands over to
that channel's own task, as its first retry: the retry counts and give-ups stay those of the three tasks.
Every channel claims its work before sending, so a redelivered message sends nothing twice.
"""

from __future__ import annotations

import logging

from comuni.models import Comune

from .models import Notifica

logger = logging.getLogger(__name__)

def notifica_consegna_run(*, comune: Comune, notifica_id: int, email: bool = True, ambito_io: str = "mensa",
                          pagamento: dict | None = None) -> dict[str, object]:
    """Deliver one stored notification on every channel; returns each channel's outcome (for logs and tests)."""
    from .io.client import IOTransient
    from .io.invio import io_send
    from .push import preferenze_of, push_deliver, push_fanout
    from .services import notifica_email_send
    from .tasks import RETRY_COUNTDOWN, io_notifica, notifica_email, push_notifica

    notifica = Notifica.objects.select_related("user").filter(pk=notifica_id).first()
    if notifica is None:
        return {}
    notifica.comune = comune  # the task's comune: the same row
    preferenze = preferenze_of(comune=comune, user=notifica.user)
    esiti: dict[str, object] = {}

    def email_channel() -> object:
        try:
            return notifica_email_send(notifica_id=notifica.pk, notifica=notifica, preferenze=preferenze)
        except OSError:  # SMTP down or refusing: the e-mail task retries it
            notifica_email.apply_async((comune.pk, notifica.pk), countdown=RETRY_COUNTDOWN, retries=1)
            return "da ritentare"

    def push_channel() -> object:
        if not push_fanout(notifica=notifica, preferenze=preferenze):
            return 0  # no device (or push off): nothing to claim
        esito = push_deliver(notifica=notifica)
        if esito.da_ritentare:
            push_notifica.apply_async((comune.pk, notifica.pk), countdown=RETRY_COUNTDOWN, retries=1)
        return esito.__dict__

    def io_channel() -> object:
        try:
            messaggio = io_send(notifica=notifica, ambito=ambito_io, pagamento=pagamento, preferenze=preferenze)
        except IOTransient:
            io_notifica.apply_async((comune.pk, notifica.pk, ambito_io, pagamento), countdown=RETRY_COUNTDOWN,
                                    retries=1)
            return "da ritentare"
        return messaggio.stato if messaggio else ""

    channels = [("push", push_channel), ("app_io", io_channel)]
    if email:
        channels.insert(0, ("email", email_channel))
    for name, channel in channels:
        # One channel's unexpected failure is logged and never keeps the others from going out.
        try:
            esiti[name] = channel()
        except Exception:
            logger.exception("Notifica %s: the %s channel failed", notifica.pk, name)
            esiti[name] = "errore"
    return esiti
