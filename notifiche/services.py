"""Writes: a notification is stored in the portal and e-mailed once the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from comuni.models import Comune, User
from consumatori.models import Consumatore

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
    if email and user.email:
        transaction.on_commit(lambda: _send_email(notifica.pk, comune.pk))
    return notifica


def _send_email(notifica_pk: int, comune_pk: int) -> None:
    from django_scopes import scope

    with scope(comune=comune_pk):
        notifica = Notifica.objects.select_related("user", "comune").get(pk=notifica_pk)
        send_mail(
            subject=f"{notifica.comune}: {notifica.titolo}",
            message=notifica.testo,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notifica.user.email],
        )
        Notifica.objects.filter(pk=notifica.pk).update(email_inviata_il=timezone.now())


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
    earlier in the list) stores and sends nothing. The e-mails go after commit, over one connection.
    Returns the ids stored."""
    if not notifiche:
        return []
    table = Notifica._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s, %s, FALSE, %s, NOW())"] * len(notifiche))
    params: list[object] = []
    for n in notifiche:
        params += [n.comune.pk, n.user.pk, n.consumatore.pk if n.consumatore else None, n.titolo, n.testo, n.chiave]
    # The partial unique index (user, chiave) WHERE chiave <> '' is the once-per-key rule, as in notifica_send.
    sql = f"""INSERT INTO {table} (comune_id, user_id, consumatore_id, titolo, testo, letta, chiave, creata_il)
              VALUES {rows} ON CONFLICT DO NOTHING RETURNING id, user_id, chiave"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchall()
    inviare = {(n.user.pk, n.chiave): n.comune.pk for n in notifiche if n.email and n.user.email}
    per_comune: dict[int, list[int]] = {}
    for pk, user_id, chiave in stored:
        if (user_id, chiave) in inviare:
            per_comune.setdefault(inviare[user_id, chiave], []).append(pk)
    for comune_pk, pks in per_comune.items():
        transaction.on_commit(lambda pks=pks, comune_pk=comune_pk: _send_emails(pks, comune_pk))
    return [pk for pk, _user, _chiave in stored]


def _send_emails(pks: list[int], comune_pk: int) -> None:
    from django_scopes import scope

    with scope(comune=comune_pk):
        notifiche = list(Notifica.objects.filter(pk__in=pks).select_related("user", "comune"))
        messages = [
            EmailMessage(subject=f"{n.comune}: {n.titolo}", body=n.testo, from_email=settings.DEFAULT_FROM_EMAIL,
                         to=[n.user.email])
            for n in notifiche
        ]
        get_connection().send_messages(messages)
        Notifica.objects.filter(pk__in=pks).update(email_inviata_il=timezone.now())


def notifiche_mark_read(*, user: User) -> int:
    """Mark every message of the user in the current comune as read."""
    return Notifica.objects.filter(user=user, letta=False).update(letta=True)
