"""Writes: a notification is stored in the portal, then e-mailed, pushed and sent to App IO after commit."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from comuni.models import Comune, User
from consumatori.models import Consumatore
from omnibus import stamps

from .models import Notifica


def notifica_send(
    *,
    comune: Comune,
    user: User,
    titolo: str,
    testo: str,
    consumatore: Consumatore | None = None,
    chiave: str = "",
    email: bool = True,
    ambito_io: str = "mensa",
    pagamento: dict | None = None,
) -> Notifica | None:
    """Store a portal message for one user and e-mail it after commit; None if the key was already used."""
    if chiave and Notifica.objects.filter(user=user, chiave=chiave).exists():
        return None
    notifica = Notifica(comune=comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo, chiave=chiave)
    try:
        # A savepoint: a concurrent sender with the same key leaves the caller's transaction usable.
        with transaction.atomic():
            notifica.save()
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _deliver(notifica.pk, comune.pk, email=email and bool(user.email),
                                           ambito_io=ambito_io, pagamento=pagamento))
    return notifica


def _deliver(notifica_pk: int, comune_pk: int, *, email: bool, ambito_io: str, pagamento: dict | None) -> None:
    """After commit, to Celery workers (with their retries): the e-mail, the family's phones, App IO.

    The family's request never waits for a mail server (the 09:00 rush), and a message rolled back is
    never sent. `pagamento` ({"importo_centesimi", "numero_avviso", "scadenza"}) lets IO show a payable avviso."""
    from .tasks import io_notifica, notifica_email, push_notifica

    if email:
        notifica_email.delay(comune_pk, notifica_pk)
    push_notifica.delay(comune_pk, notifica_pk)
    io_notifica.delay(comune_pk, notifica_pk, ambito_io, pagamento)


def notifica_email_send(*, notifica_id: int) -> bool:
    """Send the e-mail of one message, once: the row is claimed before sending (True if sent now)."""
    from .models import PreferenzeCanali

    notifica = Notifica.objects.select_related("user", "comune").filter(pk=notifica_id).first()
    if notifica is None or notifica.email_inviata_il is not None:
        return False
    if PreferenzeCanali.objects.filter(user=notifica.user, comune_id=notifica.comune_id, email=False).exists():
        return False  # the family turned e-mail off: the message stays in the portal (and push, App IO)
    # Claim it: a duplicated or retried task that lost the race sends nothing.
    if not Notifica.objects.filter(pk=notifica.pk, email_inviata_il__isnull=True).update(
        email_inviata_il=timezone.now()
    ):
        return False
    try:
        send_mail(
            subject=f"{notifica.comune}: {notifica.titolo}",
            message=notifica.testo,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notifica.user.email],
        )
    except OSError:
        Notifica.objects.filter(pk=notifica.pk).update(email_inviata_il=None)  # let the retry send it
        raise
    return True


@dataclass(frozen=True)
class NotificaDaInviare:
    comune: Comune
    user: User
    titolo: str
    testo: str
    consumatore: Consumatore | None = None
    chiave: str = ""
    email: bool = True


def notifiche_send_bulk(notifiche: list[NotificaDaInviare]) -> list[int]:
    """notifica_send for many messages in one INSERT: a key already used for the user (before, or
    earlier in the list) stores and sends nothing; each stored one is delivered after commit exactly as
    notifica_send delivers it. Returns the ids stored."""
    if not notifiche:
        return []
    table = Notifica._meta.db_table
    # The time is a parameter, not NOW(): SQLite (make run) has no NOW().
    rows = ", ".join(["(%s, %s, %s, %s, %s, FALSE, %s, %s)"] * len(notifiche))
    params: list[object] = []
    now = timezone.now()
    for n in notifiche:
        params += [n.comune.pk, n.user.pk, n.consumatore.pk if n.consumatore else None, n.titolo, n.testo, n.chiave,
                   now]
    # The partial unique index (user, chiave) WHERE chiave <> '' is the once-per-key rule, as in notifica_send.
    sql = f"""INSERT INTO {table} (comune_id, user_id, consumatore_id, titolo, testo, letta, chiave, creata_il)
              VALUES {rows} ON CONFLICT DO NOTHING RETURNING id, user_id, chiave"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchall()
    stamps.utenti_changed({user_id for _pk, user_id, _chiave in stored})  # raw SQL: no model signal
    # The same delivery as notifica_send, per stored message: the e-mail task (claimed once, honouring the
    # family's channel preferences), push and App IO.
    by_key = {(n.user.pk, n.chiave): n for n in notifiche}
    for pk, user_id, chiave in stored:
        n = by_key[user_id, chiave]
        transaction.on_commit(lambda pk=pk, n=n: _deliver(pk, n.comune.pk, email=n.email and bool(n.user.email),
                                                          ambito_io="mensa", pagamento=None))
    return [pk for pk, _user, _chiave in stored]


def notifiche_mark_read(*, user: User) -> int:
    """Mark every message of the user in the current comune as read."""
    changed = Notifica.objects.filter(user=user, letta=False).update(letta=True)
    stamps.utenti_changed([user.pk])  # update(): no model signal
    return changed
