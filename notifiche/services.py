"""Writes: a notification is stored in the portal and e-mailed once the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
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


def notifiche_mark_read(*, user: User) -> int:
    """Mark every message of the user in the current comune as read."""
    return Notifica.objects.filter(user=user, letta=False).update(letta=True)
