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
    """After commit: the e-mail, then the tasks (with their retries) for the family's phones and App IO.

    `pagamento` ({"importo_centesimi", "numero_avviso", "scadenza"}) lets IO show a payable avviso."""
    from .tasks import io_notifica, push_notifica

    if email:
        _send_email(notifica_pk, comune_pk)
    push_notifica.delay(comune_pk, notifica_pk)
    io_notifica.delay(comune_pk, notifica_pk, ambito_io, pagamento)


def _send_email(notifica_pk: int, comune_pk: int) -> None:
    from django_scopes import scope

    from .models import PreferenzeCanali

    with scope(comune=comune_pk):
        notifica = Notifica.objects.select_related("user", "comune").get(pk=notifica_pk)
        if PreferenzeCanali.objects.filter(user=notifica.user, comune_id=comune_pk, email=False).exists():
            return  # the family turned e-mail off: the message stays in the portal (and push, App IO)
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
