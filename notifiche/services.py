"""Writes: a notification is stored in the portal, then e-mailed, pushed and sent to App IO after commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comuni.models import Comune, User
from consumatori.models import Consumatore

from .allegati import allegato_of
from .models import Notifica, PreferenzeCanali

logger = logging.getLogger(__name__)


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
    allegato: str = "",
) -> Notifica | None:
    """Store a portal message for one user and e-mail it after commit; None if the key was already used.

    `allegato` ("<kind>:<reference>", see notifiche.allegati) attaches that document to the e-mail."""
    if chiave and Notifica.objects.filter(user=user, chiave=chiave).exists():
        return None
    notifica = Notifica(comune=comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo, chiave=chiave,
                        allegato=allegato)
    if not chiave:
        notifica.save()  # no key, no unique conflict possible: no savepoint (two round trips fewer)
    else:
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
    """After commit, to a Celery worker: the e-mail, the family's phones, App IO (notifiche.consegna).

    One broker message per notification: the family's request never waits for a mail server (the 09:00
    rush) nor pays three publishes, and a message rolled back is never sent. `pagamento`
    ({"importo_centesimi", "numero_avviso", "scadenza"}) lets IO show a payable avviso."""
    from .tasks import notifica_consegna

    notifica_consegna.delay(comune_pk, notifica_pk, email=email, ambito_io=ambito_io, pagamento=pagamento)


def notifica_email_send(*, notifica_id: int, notifica: Notifica | None = None,
                        preferenze: PreferenzeCanali | None = None) -> bool:
    """Send the e-mail of one message, once: the row is claimed before sending (True if sent now).

    `notifica` (with user and comune) and the family's `preferenze` may be given already loaded."""
    if notifica is None:
        notifica = Notifica.objects.select_related("user", "comune").filter(pk=notifica_id).first()
    if notifica is None or notifica.email_inviata_il is not None:
        return False
    if preferenze is not None:
        email_off = not preferenze.email
    else:
        email_off = PreferenzeCanali.objects.filter(user=notifica.user, comune_id=notifica.comune_id,
                                                    email=False).exists()
    if email_off:
        return False  # the family turned e-mail off: the message stays in the portal (and push, App IO)
    try:
        allegato = allegato_of(notifica)
    except Exception:  # the confirmation matters more than its copy of a document the portal also offers
        logger.exception("notifica %s: allegato %r not rendered, e-mail sent without it", notifica.pk,
                         notifica.allegato)
        allegato = None
    # Claim it: a duplicated or retried task that lost the race sends nothing.
    if not Notifica.objects.filter(pk=notifica.pk, email_inviata_il__isnull=True).update(
        email_inviata_il=timezone.now()
    ):
        return False
    try:
        message = EmailMessage(subject=f"{notifica.comune}: {notifica.titolo}", body=notifica.testo,
                               from_email=settings.DEFAULT_FROM_EMAIL, to=[notifica.user.email])
        if allegato is not None:
            message.body += "\n\n" + _("In allegato: %(nome)s") % {"nome": allegato.nome}
            message.attach(allegato.nome, allegato.contenuto, allegato.tipo)
        message.send()
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
    rows = ", ".join(["(%s, %s, %s, %s, %s, FALSE, %s, %s)"] * len(notifiche))
    params: list[object] = []
    # The time as a parameter, through the backend's adapter: SQLite (make run) has no NOW().
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for n in notifiche:
        params += [n.comune.pk, n.user.pk, n.consumatore.pk if n.consumatore else None, n.titolo, n.testo, n.chiave,
                   now]
    # The partial unique index (user, chiave) WHERE chiave <> '' is the once-per-key rule, as in notifica_send.
    sql = f"""INSERT INTO {table} (comune_id, user_id, consumatore_id, titolo, testo, letta, chiave, creata_il)
              VALUES {rows} ON CONFLICT DO NOTHING RETURNING id, user_id, chiave"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchall()
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
    return Notifica.objects.filter(user=user, letta=False).update(letta=True)
