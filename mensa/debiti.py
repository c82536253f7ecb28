"""The debt rules of the canteen: suspension at N meals in debit, warnings at 2 meals and at low credit."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.models import Consumatore
from omnibus.formats import importo_it
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .cutoff import ROME, cutoff_passed
from .cutoff import data_it as _it
from .models import IscrizioneMensa, Sospensione
from .prezzi import prezzi_del_giorno

MOTIVO_REVOCA_ERROR = _("Per revocare una sospensione serve il motivo.")


@transaction.atomic
def sospensione_revoke(*, sospensione: Sospensione, revocata_da: User, motivo: str,
                       now: datetime.datetime | None = None) -> Sospensione:
    """Staff lift a suspension by hand, with a reason; it is not re-imposed in the same debt episode."""
    if not motivo.strip():
        raise ValidationError({"motivo_revoca": MOTIVO_REVOCA_ERROR})
    now = now or timezone.now()
    _close_suspension(sospensione, now, revocata_da, motivo)
    return sospensione


def sospensione_lift_if_restored(*, consumatore: Consumatore, now: datetime.datetime | None = None) -> bool:
    """Lift the consumer's open suspension as soon as a top-up brings the canteen balance back to zero or
    credit (before the cut-off today is booked again); True if one was lifted."""
    from pagamenti.selectors import saldo

    sospensione = (
        Sospensione.objects.filter(consumatore=consumatore, al__isnull=True).select_related("comune").first()
    )
    if sospensione is None or saldo(consumatore=consumatore, servizio=Servizio.MENSA) < 0:
        return False
    _close_suspension(sospensione, now or timezone.now(), None, "Saldo ripristinato con una ricarica")
    return True


def _close_suspension(sospensione: Sospensione, now: datetime.datetime, user: User | None, motivo: str,
                      last: datetime.date | None = None) -> None:
    if last is None:
        today = timezone.localtime(now, ROME).date()
        # Lifted before today's cut-off: today is booked again; after it, today stays as it was.
        passed = cutoff_passed(comune=sospensione.comune, giorno=today, now=now)
        last = today if passed else today - datetime.timedelta(1)
    sospensione.al = max(last, sospensione.dal - datetime.timedelta(1))
    sospensione.revocata_il = now
    sospensione.revocata_da = user
    sospensione.motivo_revoca = motivo
    sospensione.save(update_fields=["al", "revocata_il", "revocata_da", "motivo_revoca"])


SOSPENSIONE_TITOLO = "Servizio mensa sospeso per {nome}"
AVVISO_DEBITO_TITOLO = "{nome}: {pasti} pasti a debito"
AVVISO_CREDITO_TITOLO = "{nome}: credito mensa in esaurimento"
COME_RICARICARE = (
    "Per ricaricare: area CITTADINO → RICARICA (pagoPA), oppure in un PuntoLIS mostrando il codice QR "
    "del consumatore (Pagamenti → PuntoLIS → Dettaglio). Codice pagamento: {codice}."
)


def _episodio(consumatore_id: int, ultimo_credito: int | None) -> str:
    return f"{consumatore_id}:{ultimo_credito or 0}"


def _conti(*, comune: Comune, giorno: datetime.date) -> list[Consumatore]:
    """The canteen accounts touched tonight (debited on `giorno`, or suspended) that need something: under
    the low-credit line, or suspended. Two queries: one grouped over their movements, one for their
    enrolment of the day and consumer row (annotated `saldo`, `ultimo_credito`, `tariffa_oggi`, `sospeso`)."""
    debitati = Movimento.objects.filter(
        comune=comune, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO, data_valuta=giorno
    ).values("consumatore_id")
    aperte = Sospensione.objects.filter(comune=comune, al__isnull=True).values("consumatore_id")
    conti = {
        row["consumatore_id"]: row
        for row in Movimento.objects.filter(comune=comune, servizio=Servizio.MENSA)
        .filter(Q(consumatore_id__in=debitati) | Q(consumatore_id__in=aperte))
        .values("consumatore_id")
        .annotate(saldo=Sum("importo"), ultimo_credito=Max("id", filter=Q(importo__gt=0)))
        .filter(Q(saldo__lt=comune.soglia_credito_in_esaurimento) | Q(consumatore_id__in=aperte))
        .order_by()
    }
    if not conti:
        return []
    result = []
    for iscrizione in (
        IscrizioneMensa.objects.filter(comune=comune, consumatore_id__in=list(conti), data_inizio__lte=giorno)
        .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=giorno))
        .annotate(sospeso=Exists(Sospensione.objects.filter(consumatore_id=OuterRef("consumatore_id"),
                                                            al__isnull=True)))
        .select_related("consumatore")
        .order_by("consumatore_id", "-data_inizio")
    ):
        consumatore = iscrizione.consumatore
        if result and result[-1].pk == consumatore.pk:
            continue  # the latest enrolment of the day counts
        conto = conti[consumatore.pk]
        consumatore.saldo, consumatore.ultimo_credito = conto["saldo"], conto["ultimo_credito"]
        consumatore.tariffa_oggi, consumatore.sospeso = iscrizione.tariffa_id, iscrizione.sospeso
        result.append(consumatore)
    return result


def _lift_restored(*, comune: Comune, giorno: datetime.date, now: datetime.datetime) -> int:
    """Lift, in one UPDATE, the open suspensions whose canteen balance is back to zero or credit: the next
    day is booked again (`al` is the debit day, or the day before the suspension began)."""
    in_debito = (
        Movimento.objects.filter(comune=comune, servizio=Servizio.MENSA,
                                 consumatore_id__in=Sospensione.objects.filter(comune=comune, al__isnull=True)
                                 .values("consumatore_id"))
        .values("consumatore_id").annotate(saldo=Sum("importo")).filter(saldo__lt=0).values("consumatore_id")
    )
    ripristinate = Sospensione.objects.filter(comune=comune, al__isnull=True).exclude(consumatore_id__in=in_debito)
    domani = giorno + datetime.timedelta(1)
    # The usual case in one UPDATE: suspended from the day after a debit day up to `giorno`.
    lifted = ripristinate.filter(dal__lte=domani).update(
        al=giorno, revocata_il=now, revocata_da=None, motivo_revoca="Saldo ripristinato"
    )
    for sospensione in ripristinate.filter(dal__gt=domani):  # only when an older day is run again
        _close_suspension(sospensione, now, None, "Saldo ripristinato", last=giorno)
        lifted += 1
    return lifted


def _suspend(*, comune: Comune, giorno: datetime.date, now: datetime.datetime,
             rows: list[tuple[int, Decimal, str]]) -> set[int]:
    """Suspend these consumers from the next day in one INSERT, once per debt episode (the unique
    (consumatore, episodio) key: a suspension lifted by staff is not re-imposed until a new debt).
    Returns the consumers suspended now."""
    if not rows:
        return set()
    table = Sospensione._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, '', %s)"] * len(rows))
    params: list[object] = []
    dal = giorno + datetime.timedelta(1)
    for consumatore_id, saldo, episodio in rows:
        params += [comune.pk, consumatore_id, dal, saldo, episodio, now]
    sql = (f"INSERT INTO {table} (comune_id, consumatore_id, dal, saldo, episodio, motivo_revoca, creata_il) "  # noqa: S608
           f"VALUES {values} ON CONFLICT (consumatore_id, episodio) DO NOTHING RETURNING consumatore_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def debt_rules_apply(
    *,
    comune: Comune,
    giorno: datetime.date,
    now: datetime.datetime | None = None,
    prezzi_tariffe: dict[int, Decimal] | None = None,
) -> dict:
    """After the debit of `giorno`: suspend at N meals in debit, warn once at 2 meals and at low credit,
    lift suspensions whose balance is restored (>= 0). Thresholds are the comune's settings.

    Set-based: one grouped query finds the accounts that need something, one UPDATE lifts, one INSERT
    suspends, one INSERT stores the messages (notifiche_send_bulk, keyed once per episode); the loop
    below only writes their texts."""
    from consumatori.models import Tutore
    from notifiche.services import NotificaDaInviare, notifiche_send_bulk

    now = now or timezone.now()
    result = {"sospesi": 0, "avvisi_debito": 0, "avvisi_credito": 0, "riattivati": 0}
    conti = _conti(comune=comune, giorno=giorno)  # read before the lift: a lifted account may be low
    result["riattivati"] = _lift_restored(comune=comune, giorno=giorno, now=now)
    conti = [c for c in conti if c.saldo < comune.soglia_credito_in_esaurimento]
    if not conti:
        return result
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_del_giorno(comune=comune, giorno=giorno)
    still_open = {c.pk for c in conti if c.sospeso and c.saldo < 0}
    azioni: list[tuple[Consumatore, str, Decimal, int, str | None]] = []  # consumer, episode, balance, meals, kind
    da_sospendere: list[tuple[int, Decimal, str]] = []
    for consumatore in conti:
        saldo = consumatore.saldo.quantize(Decimal("0.01"))
        prezzo = prezzi_tariffe.get(consumatore.tariffa_oggi) or Decimal("0")
        episodio = _episodio(consumatore.pk, consumatore.ultimo_credito)
        if prezzo > 0 and saldo <= -comune.soglia_sospensione_pasti * prezzo:
            if consumatore.pk not in still_open:
                da_sospendere.append((consumatore.pk, saldo, episodio))
                azioni.append((consumatore, episodio, saldo, 0, "sospesi"))
        elif prezzo > 0 and saldo <= -comune.soglia_avviso_pasti_debito * prezzo:
            azioni.append((consumatore, episodio, saldo, int(-saldo // prezzo), "avvisi_debito"))
        else:
            azioni.append((consumatore, episodio, saldo, 0, "avvisi_credito"))
    sospesi_ora = _suspend(comune=comune, giorno=giorno, now=now, rows=da_sospendere)
    result["sospesi"] = len(sospesi_ora)
    azioni = [a for a in azioni if a[4] != "sospesi" or a[0].pk in sospesi_ora]
    utenti: dict[int, list[User]] = {}
    if azioni:
        for tutore in Tutore.objects.filter(
            consumatore_id__in=[a[0].pk for a in azioni], utente__isnull=False
        ).select_related("utente"):
            utenti.setdefault(tutore.consumatore_id, []).append(tutore.utente)
    messaggi: list[NotificaDaInviare] = []
    kind_of: dict[str, str] = {}
    for consumatore, episodio, saldo, pasti, kind in azioni:
        titolo, testo, chiave = _messaggio(comune, giorno, consumatore, episodio, saldo, pasti, kind)
        kind_of[chiave] = kind
        messaggi += [NotificaDaInviare(comune=comune, user=user, consumatore=consumatore, titolo=titolo,
                                       testo=testo, chiave=chiave) for user in utenti.get(consumatore.pk, [])]
    stored = notifiche_send_bulk(messaggi)
    if stored:
        from notifiche.models import Notifica

        warned = {kind_of[chiave]: set() for chiave in kind_of}
        for chiave, consumatore_id in Notifica.objects.filter(pk__in=stored).values_list("chiave", "consumatore_id"):
            warned[kind_of[chiave]].add(consumatore_id)
        for kind in ("avvisi_debito", "avvisi_credito"):
            result[kind] = len(warned.get(kind, ()))
    return result


def _messaggio(comune: Comune, giorno: datetime.date, consumatore: Consumatore, episodio: str, saldo: Decimal,
               pasti: int, kind: str) -> tuple[str, str, str]:
    """Title, text and once-per-episode key of the message of one consumer."""
    nome = consumatore.nome_completo
    come = COME_RICARICARE.format(codice=consumatore.codice_pagamento)
    saldo_txt = importo_it(saldo)
    if kind == "sospesi":
        return (
            SOSPENSIONE_TITOLO.format(nome=nome),
            f"Il saldo mensa di {nome} è {saldo_txt} €, pari ad almeno {comune.soglia_sospensione_pasti} "
            f"pasti a debito: dal {_it(giorno + datetime.timedelta(1))} il servizio mensa è sospeso "
            f"fino al ripristino del saldo.\n{come}",
            f"mensa:sospensione:{episodio}",
        )
    if kind == "avvisi_debito":
        return (
            AVVISO_DEBITO_TITOLO.format(nome=nome, pasti=pasti),
            f"Il saldo mensa di {nome} è {saldo_txt} € ({pasti} pasti a debito). Al raggiungimento di "
            f"{comune.soglia_sospensione_pasti} pasti a debito il servizio sarà sospeso.\n{come}",
            f"mensa:debito:{episodio}",
        )
    return (
        AVVISO_CREDITO_TITOLO.format(nome=nome),
        f"Il saldo mensa di {nome} è {saldo_txt} €: il credito sta per esaurirsi.\n{come}",
        f"mensa:credito:{episodio}",
    )
