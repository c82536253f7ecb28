"""Writes: a notification is stored in the portal, then e-mailed, pushed and sent to App IO after commit
(notifiche.consegna hands the messages of one commit to the workers together)."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from comuni.models import Comune, User
from consumatori.models import Consumatore
from omnibus import stamps

from .allegati import allegato_of
from .consegna import Consegna, consegna_dopo_commit
from .models import Notifica, PreferenzeCanali

logger = logging.getLogger(__name__)


def _insert_once(rows: list[Notifica], consegne: list[Consegna],
                 now: datetime.datetime | None = None) -> list[tuple[int, int, str]]:
    """INSERT the messages in one statement; a key already used for the user (before, or earlier in the
    list) is skipped by the partial unique index (user, chiave) WHERE chiave <> '' — no savepoint needed,
    and a concurrent sender with the same key waits and skips. Each row carries its delivery (`consegne`,
    the outbox: notifiche.consegna). Returns (id, user id, key) of those stored."""
    table = Notifica._meta.db_table
    creata_il = connection.ops.adapt_datetimefield_value(now or timezone.now())
    outbox = Notifica._meta.get_field("da_consegnare")
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[object] = []
    for n, consegna in zip(rows, consegne, strict=True):
        params += [n.comune_id, n.user_id, n.consumatore_id, n.titolo, n.testo, False, n.chiave, creata_il,
                   n.allegato, outbox.get_db_prep_save(consegna.outbox(), connection)]
    sql = f"""INSERT INTO {table} (comune_id, user_id, consumatore_id, titolo, testo, letta, chiave, creata_il,
                                   allegato, da_consegnare)
              VALUES {values} ON CONFLICT DO NOTHING RETURNING id, user_id, chiave"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchall()
    if stored:
        stamps.utenti_changed({user_id for _pk, user_id, _chiave in stored})  # raw SQL: no model signal
    return stored


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
    """Store a portal message for one user and deliver it after commit; None if the key was already used.

    `pagamento` (notifiche.io.messaggi.pagamento_of(posizione)) makes the App IO message a payable avviso;
    `ambito_io` ("mensa" or "trasporto") picks the comune's IO service; `allegato` ("<kind>:<reference>",
    see notifiche.allegati) attaches that document to the e-mail."""
    notifica = Notifica(comune=comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo, chiave=chiave,
                        creata_il=timezone.now(), allegato=allegato)
    consegna = Consegna(0, comune.pk, email=email and bool(user.email), ambito_io=ambito_io, pagamento=pagamento)
    stored = _insert_once([notifica], [consegna], notifica.creata_il)
    if not stored:
        return None
    notifica.pk = stored[0][0]
    notifica._state.adding = False
    consegna_dopo_commit(dataclasses.replace(consegna, notifica_id=notifica.pk))
    return notifica


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
    # The same delivery as notifica_send, per stored message: the e-mail task (claimed once, honouring the
    # family's channel preferences), push and App IO.
    consegne = [Consegna(0, n.comune.pk, email=n.email and bool(n.user.email)) for n in notifiche]
    stored = _insert_once([Notifica(comune=n.comune, user=n.user, consumatore=n.consumatore, titolo=n.titolo,
                                    testo=n.testo, chiave=n.chiave) for n in notifiche], consegne)
    by_key = {(n.user.pk, n.chiave): consegna for n, consegna in zip(notifiche, consegne, strict=True)}
    for pk, user_id, chiave in stored:
        consegna_dopo_commit(dataclasses.replace(by_key[user_id, chiave], notifica_id=pk))
    return [pk for pk, _user, _chiave in stored]


def notifiche_mark_read(*, user: User) -> int:
    """Mark every message of the user in the current comune as read."""
    changed = Notifica.objects.filter(user=user, letta=False).update(letta=True)
    stamps.utenti_changed([user.pk])  # update(): no model signal
    return changed
