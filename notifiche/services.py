"""Writes: a notification is stored in the portal and e-mailed by a Celery worker once the transaction commits."""

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
        # After commit, to a Celery worker: the family's request never waits for the mail server
        # (the 09:00 rush), and a message rolled back is never mailed.
        transaction.on_commit(lambda: _enqueue_email(notifica.pk, comune.pk))
    return notifica


def _enqueue_email(notifica_pk: int, comune_pk: int) -> None:
    from .tasks import notifica_email

    notifica_email.delay(comune_pk, notifica_pk)


def notifica_email_send(*, notifica_id: int) -> bool:
    """Send the e-mail of one message, once: the row is claimed before sending (True if sent now)."""
    notifica = Notifica.objects.select_related("user", "comune").filter(pk=notifica_id).first()
    if notifica is None or notifica.email_inviata_il is not None:
        return False
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


def notifiche_mark_read(*, user: User) -> int:
    """Mark every message of the user in the current comune as read."""
    return Notifica.objects.filter(user=user, letta=False).update(letta=True)
