"""Sending a notification to App IO once: profile check, then the message; the key's state for staff."""

from __future__ import annotations

from django.db import connection
from django.db.models import F
from django.utils import timezone

from notifiche.models import MessaggioIO, Notifica, PreferenzeCanali, ServizioIO, StatoChiaveIO, StatoMessaggioIO
from notifiche.push import preferenze_of

from . import client
from .messaggi import content_of

NO_KEY = "nessun servizio IO con una chiave valida"


def _servizio(ambito: str, servizi: dict[str, ServizioIO] | None = None) -> ServizioIO | None:
    if servizi is None:
        servizi = {s.ambito: s for s in ServizioIO.objects.filter(attivo=True)}
    return servizi.get(ambito) or next(iter(servizi.values()), None)


def _usable(servizio: ServizioIO | None) -> bool:
    return servizio is not None and servizio.stato_chiave != StatoChiaveIO.RIFIUTATA and bool(servizio.api_key)


def _key_state(servizio: ServizioIO, state: str) -> None:
    if servizio.stato_chiave != state:
        ServizioIO.objects.filter(pk=servizio.pk).update(stato_chiave=state, stato_aggiornato_il=timezone.now())


def _insert_senza_chiave(notifica: Notifica, servizio: ServizioIO | None) -> MessaggioIO | None:
    """The outcome "no usable key" of a message IO never saw, in one INSERT; None if the message already has
    its row (the unique notifica: a retry, a duplicated task)."""
    now = timezone.now()
    row = MessaggioIO(comune_id=notifica.comune_id, notifica=notifica, servizio=servizio,
                      stato=StatoMessaggioIO.CHIAVE, io_id="", tentativi=1, esito=NO_KEY, aggiornato_il=now)
    sql = (f"INSERT INTO {MessaggioIO._meta.db_table} (comune_id, notifica_id, servizio_id, stato, io_id, "  # noqa: S608
           "tentativi, esito, aggiornato_il) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
           "ON CONFLICT DO NOTHING RETURNING id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [row.comune_id, notifica.pk, servizio.pk if servizio else None, row.stato, "", 1,
                             NO_KEY, connection.ops.adapt_datetimefield_value(now)])
        stored = cursor.fetchone()
    if stored is None:
        return None
    row.pk = stored[0]
    row._state.adding = False
    return row


def io_send(*, notifica: Notifica, ambito: str = "mensa", pagamento: dict | None = None,
            preferenze: PreferenzeCanali | None = None) -> MessaggioIO | None:
    """Send the notification on IO at most once; raises client.IOTransient for the task to retry.

    Nothing happens when the family turned App IO off. A missing or refused key, a citizen not on IO
    or who blocked the service are recorded on the message (staff see them); e-mail and push go anyway.
    """
    if not (preferenze or preferenze_of(comune=notifica.comune, user=notifica.user)).app_io:
        return None
    servizio = _servizio(ambito)
    if not _usable(servizio):
        # No usable key (a comune not on IO yet: every message at 09:00): the outcome is known before any
        # claim, so a first run records it in its one INSERT; a message already there goes the usual way.
        messaggio = _insert_senza_chiave(notifica, servizio)
        if messaggio is not None:
            return messaggio
        messaggio = MessaggioIO.objects.get(notifica=notifica)
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

    if not _usable(servizio):
        return close(StatoMessaggioIO.CHIAVE, NO_KEY)
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


def io_sort(*, voci: list) -> list[tuple[int, str, dict | None]]:
    """io_send's first checks for many notifications ([id, ambito, pagamento] each) in a few queries:
    a family that turned IO off gets nothing; a message IO cannot take (no service with a usable key,
    no codice fiscale verified with SPID/CIE) is recorded with that outcome, once. Returns the others,
    which need IO's API (io_send, one by one)."""
    notifiche = {n.pk: n for n in Notifica.objects.filter(pk__in=[v[0] for v in voci]).select_related("user")}
    users = {n.user_id for n in notifiche.values()}
    off = set(PreferenzeCanali.objects.filter(user_id__in=users, app_io=False).values_list("user_id", flat=True))
    servizi = {s.ambito: s for s in ServizioIO.objects.filter(attivo=True)}
    closed: dict[tuple[str, str], list[tuple[Notifica, ServizioIO | None]]] = {}
    da_inviare = []
    for notifica_id, ambito, pagamento in voci:
        notifica = notifiche.get(notifica_id)
        if notifica is None or notifica.user_id in off:
            continue
        servizio, user = _servizio(ambito, servizi), notifica.user
        if not _usable(servizio):
            closed.setdefault((StatoMessaggioIO.CHIAVE, NO_KEY), []).append((notifica, servizio))
        elif not (user.codice_fiscale and user.codice_fiscale_verificato):
            closed.setdefault((StatoMessaggioIO.SENZA_CF, ""), []).append((notifica, servizio))
        else:
            da_inviare.append((notifica_id, ambito, pagamento))
    for (stato, esito), rows in closed.items():
        # A message that already has a row keeps its outcome; one left pending by a broken run is closed.
        MessaggioIO.objects.bulk_create(
            [MessaggioIO(comune_id=n.comune_id, notifica=n, servizio=s, stato=stato, esito=esito, tentativi=1)
             for n, s in rows], ignore_conflicts=True)
        MessaggioIO.objects.filter(notifica__in=[n for n, _ in rows], stato=StatoMessaggioIO.DA_INVIARE).update(
            stato=stato, esito=esito, tentativi=F("tentativi") + 1)
    return da_inviare
