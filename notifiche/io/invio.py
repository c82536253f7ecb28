"""Sending a notification to App IO once: profile check, then the message; the key's state for staff."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from notifiche.models import MessaggioIO, Notifica, PreferenzeCanali, ServizioIO, StatoChiaveIO, StatoMessaggioIO
from notifiche.push import preferenze_of

from . import client
from .messaggi import content_of

NESSUNA_CHIAVE = "nessun servizio IO con una chiave valida"


def _servizio(ambito: str) -> ServizioIO | None:
    servizi = {s.ambito: s for s in ServizioIO.objects.filter(attivo=True)}
    return servizi.get(ambito) or next(iter(servizi.values()), None)


def _key_state(servizio: ServizioIO, state: str) -> None:
    if servizio.stato_chiave != state:
        ServizioIO.objects.filter(pk=servizio.pk).update(stato_chiave=state, stato_aggiornato_il=timezone.now())


def io_send(*, notifica: Notifica, ambito: str = "mensa", pagamento: dict | None = None,
            preferenze: PreferenzeCanali | None = None) -> MessaggioIO | None:
    """Send the notification on IO at most once; raises client.IOTransient for the task to retry.

    Nothing happens when the family turned App IO off. A missing or refused key, a citizen not on IO
    or who blocked the service are recorded on the message (staff see them); e-mail and push go anyway.
    """
    if not (preferenze or preferenze_of(comune=notifica.comune, user=notifica.user)).app_io:
        return None
    servizio = _servizio(ambito)
    if servizio is None or servizio.stato_chiave == StatoChiaveIO.RIFIUTATA or not servizio.api_key:
        # No usable key (a comune not on IO yet: every message at 09:00): the outcome is known before any
        # claim, so a first run records it in its one INSERT; a message already there goes the usual way.
        messaggio, created = MessaggioIO.objects.get_or_create(notifica=notifica, defaults={
            "comune_id": notifica.comune_id, "servizio": servizio, "stato": StatoMessaggioIO.CHIAVE,
            "esito": NESSUNA_CHIAVE, "tentativi": 1})
        if created:
            return messaggio
    else:
        messaggio, _ = MessaggioIO.objects.get_or_create(
            notifica=notifica, defaults={"comune_id": notifica.comune_id, "servizio": servizio})
    # Claim: only one run sends, and never once the message has an outcome.
    claimed = MessaggioIO.objects.filter(pk=messaggio.pk, stato=StatoMessaggioIO.DA_INVIARE).update(
        tentativi=F("tentativi") + 1, servizio=servizio)
    if not claimed:
        return messaggio
    user = notifica.user

    def close(stato: str, esito: str = "", io_id: str = "") -> MessaggioIO:
        MessaggioIO.objects.filter(pk=messaggio.pk).update(stato=stato, esito=esito[:200], io_id=io_id)
        messaggio.refresh_from_db()
        return messaggio

    if servizio is None or servizio.stato_chiave == StatoChiaveIO.RIFIUTATA or not servizio.api_key:
        return close(StatoMessaggioIO.CHIAVE, NESSUNA_CHIAVE)
    if not (user.codice_fiscale and user.codice_fiscale_verificato):
        # A typed codice fiscale could be someone else's: IO only for one verified with SPID/CIE.
        return close(StatoMessaggioIO.SENZA_CF)
    try:
        content = content_of(notifica=notifica, servizio=servizio, pagamento=pagamento)
    except (ValueError, KeyError, TypeError):
        return close(StatoMessaggioIO.FALLITO, "dati di pagamento non validi per IO")
    try:
        allowed = client.sender_allowed(api_key=servizio.api_key, fiscal_code=user.codice_fiscale)
        if allowed is None:
            return close(StatoMessaggioIO.NON_SU_IO)
        if not allowed:
            return close(StatoMessaggioIO.NON_CONSENTITO)
        io_id = client.message_submit(api_key=servizio.api_key, fiscal_code=user.codice_fiscale, content=content)
    except client.IOKeyRefused as exc:
        _key_state(servizio, StatoChiaveIO.RIFIUTATA)
        return close(StatoMessaggioIO.CHIAVE, f"chiave rifiutata da IO ({exc})")
    except client.IOBadRequest as exc:
        return close(StatoMessaggioIO.FALLITO, f"richiesta rifiutata da IO: {exc}")
    except client.IOTransient:
        # Nothing was accepted: the message goes back to the queue for the task's retry.
        raise
    _key_state(servizio, StatoChiaveIO.VALIDA)
    return close(StatoMessaggioIO.INVIATO, io_id=io_id)


def io_give_up(*, notifica: Notifica, reason: str) -> int:
    return MessaggioIO.objects.filter(notifica=notifica, stato=StatoMessaggioIO.DA_INVIARE).update(
        stato=StatoMessaggioIO.FALLITO, esito=reason[:200])
