"""The debt rules of the canteen: suspension at N meals in debit, warnings at 2 meals and at low credit."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.models import Consumatore
from omnibus.formats import importo_it
from pagamenti.consolidamento import orizzonte_fermo
from pagamenti.models import Movimento, SaldoConsolidato, Servizio, TipoMovimento

from .cutoff import ROME, cutoff_passed
from .cutoff import data_it as _it
from .models import IscrizioneMensa, Sospensione
from .prezzi import CENT, prezzi_dei_comuni
from .sql import in_params

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


@dataclass(frozen=True)
class Conto:
    """One canteen account touched tonight: its comune, balance, last credit (the debt episode), tariff of
    the day (None if not enrolled that day) and the first day of its open suspension, if any."""

    consumatore_id: int
    comune_id: int
    saldo: Decimal
    ultimo_credito: int | None
    tariffa_id: int | None
    sospeso_dal: datetime.date | None


def _conti(*, comuni: Sequence[Comune], giorno: datetime.date) -> list[Conto]:
    """The accounts debited on `giorno` or suspended that may need something (under the highest low-credit
    line of these comuni, or suspended), in one query for all of them.

    Each balance is the account's consolidated sum (pagamenti.consolidamento) plus its movements after it.
    Those split in two so that the night's 94,000 new rows are read once, never grouped: the row of the
    night's key ("pasto:<day>", one per account) is added by itself to the sum (`b`), and the few other
    movements after the consolidation (top-ups of the day, corrections: `r`) are grouped by one range of the
    ledger's primary key and joined only to the accounts under the line or among them.
    Accounts debited by a correction ("pasto:<day>:<n>") or suspended are a second, small part with the same
    sum. Then their tariff and suspension are looked up for the rows returned only. Every table is filtered
    by the comuni (the tenant scope here) and joined within one comune; an account may come twice (both
    parts): the caller keeps one."""
    m, s, i = Movimento._meta.db_table, Sospensione._meta.db_table, IscrizioneMensa._meta.db_table
    sc = SaldoConsolidato._meta.db_table
    # The highest low-credit line of these comuni, each account then held to its own comune's line in Python:
    # a join to the comuni for their lines multiplied the rows (the planner expects one row of the day's
    # meals, not yet analysed).
    params: dict[str, object] = {
        "giorno": giorno, "servizio": Servizio.MENSA, "pasto": TipoMovimento.PASTO,
        "chiave": f"pasto:{giorno.isoformat()}",
        "soglia": max(comune.soglia_credito_in_esaurimento for comune in comuni),
    }
    ids = in_params("c", [comune.pk for comune in comuni], params)
    sql = f"""
        WITH sospesi AS (SELECT a.consumatore_id, a.comune_id FROM {s} a WHERE a.comune_id {ids} AND a.al IS NULL),
        r AS (
            SELECT m.consumatore_id, SUM(m.importo) AS saldo,
                   MAX(CASE WHEN m.importo > 0 THEN m.id END) AS ultimo_credito
            FROM {m} m
            WHERE m.comune_id {ids} AND m.servizio = %(servizio)s AND m.chiave <> %(chiave)s
              AND m.id > %(fino_a)s
            GROUP BY m.consumatore_id
        ),
        b AS (
            SELECT n.consumatore_id, n.comune_id, c.ultimo_credito, COALESCE(c.saldo, 0)
                       + CASE WHEN n.id > %(fino_a)s THEN n.importo ELSE 0 END AS saldo
            FROM {m} n
            LEFT JOIN {sc} c ON c.consumatore_id = n.consumatore_id AND c.servizio = %(servizio)s
            WHERE n.comune_id {ids} AND n.servizio = %(servizio)s AND n.data_valuta = %(giorno)s
              AND n.chiave = %(chiave)s
        ),
        g AS (
            SELECT b.consumatore_id, b.comune_id, b.saldo + COALESCE(r.saldo, 0) AS saldo,
                   COALESCE(r.ultimo_credito, b.ultimo_credito) AS ultimo_credito
            FROM (SELECT * FROM b WHERE b.saldo < %(soglia)s OR b.consumatore_id IN (SELECT consumatore_id FROM r)
                  OR b.consumatore_id IN (SELECT consumatore_id FROM sospesi)
            ) b
            LEFT JOIN r ON r.consumatore_id = b.consumatore_id
            UNION ALL
            SELECT k.consumatore_id, k.comune_id,
                   COALESCE(c.saldo, 0) + COALESCE(r.saldo, 0) + COALESCE((
                       SELECT CASE WHEN n.id > %(fino_a)s THEN n.importo ELSE 0 END FROM {m} n
                       WHERE n.consumatore_id = k.consumatore_id AND n.servizio = %(servizio)s
                         AND n.chiave = %(chiave)s AND n.data_valuta = %(giorno)s), 0),
                   COALESCE(r.ultimo_credito, c.ultimo_credito)
            FROM (
                SELECT d.consumatore_id, d.comune_id FROM {m} d
                WHERE d.comune_id {ids} AND d.servizio = %(servizio)s AND d.data_valuta = %(giorno)s
                  AND d.tipo = %(pasto)s AND d.chiave <> %(chiave)s
                UNION
                SELECT consumatore_id, comune_id FROM sospesi
            ) k
            LEFT JOIN {sc} c ON c.consumatore_id = k.consumatore_id AND c.servizio = %(servizio)s
            LEFT JOIN r ON r.consumatore_id = k.consumatore_id
        )
        SELECT g.consumatore_id, g.comune_id, g.saldo, g.ultimo_credito,
            (SELECT i.tariffa_id FROM {i} i
             WHERE i.comune_id = g.comune_id AND i.consumatore_id = g.consumatore_id AND i.data_inizio <= %(giorno)s
               AND (i.data_fine IS NULL OR i.data_fine >= %(giorno)s)
             ORDER BY i.data_inizio DESC, i.id DESC LIMIT 1),
            (SELECT MAX(s.dal) FROM {s} s
             WHERE s.comune_id = g.comune_id AND s.consumatore_id = g.consumatore_id AND s.al IS NULL)
        FROM g
        WHERE g.saldo < %(soglia)s
            OR g.consumatore_id IN (SELECT consumatore_id FROM sospesi)
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        params["fino_a"] = orizzonte_fermo()
        if connection.vendor == "postgresql":
            # The night's rows were just written: the statistics say there are none, so the planner probes
            # the sums' index once per meal (EXPLAIN: 94,000 probes, 215 ms) where one hash join of the sums
            # costs 90 ms. No nested loop for this statement only (the correlated lookups are not joins).
            cursor.execute("SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)")
            previous = cursor.fetchone()[0]
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [previous])
    conti: dict[int, Conto] = {}
    for pk, comune_id, saldo, credito, tariffa, dal in rows:
        # Decimal(str(…)): SQLite (make run) sums in floating point; PostgreSQL already returns Decimal.
        conti[pk] = Conto(pk, comune_id, Decimal(str(saldo)).quantize(CENT), credito, tariffa, _date(dal))
    return list(conti.values())


def _date(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _lift_restored(*, giorno: datetime.date, now: datetime.datetime, conti: list[Conto]) -> Counter[int]:
    """Lift the open suspensions whose balance is back to zero or credit, in one UPDATE: the next day is
    booked again (`al` is the debit day, or the day before the suspension began). Lifted per comune id."""
    restored = [c for c in conti if c.sospeso_dal is not None and c.saldo >= 0]
    if not restored:
        return Counter()
    domani = giorno + datetime.timedelta(1)
    ids = [c.consumatore_id for c in restored]
    comuni = sorted({c.comune_id for c in restored})
    marks = ", ".join(["%s"] * len(ids))
    sql = (f"UPDATE {Sospensione._meta.db_table} SET al = %s, revocata_il = %s, revocata_da_id = NULL, "  # noqa: S608
           f"motivo_revoca = %s WHERE comune_id IN ({', '.join(['%s'] * len(comuni))}) AND al IS NULL "
           f"AND dal <= %s AND consumatore_id IN ({marks}) RETURNING comune_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [giorno, connection.ops.adapt_datetimefield_value(now), "Saldo ripristinato", *comuni,
                             domani, *ids])
        lifted = Counter(row[0] for row in cursor.fetchall())
    aperte = Sospensione.objects.filter(al__isnull=True, consumatore_id__in=ids)
    if any(c.sospeso_dal > domani for c in restored):  # only when an older day is run again
        for sospensione in aperte.filter(dal__gt=domani):
            _close_suspension(sospensione, now, None, "Saldo ripristinato", last=giorno)
            lifted[sospensione.comune_id] += 1
    return lifted


def _suspend(*, giorno: datetime.date, now: datetime.datetime,
             rows: list[tuple[int, int, Decimal, str]]) -> set[int]:
    """Suspend these consumers (id, comune id, balance, episode) from the next day in one INSERT, once per
    debt episode (the unique (consumatore, episodio) key: a suspension lifted by staff is not re-imposed
    until a new debt). Returns the consumers suspended now."""
    if not rows:
        return set()
    table = Sospensione._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, '', %s)"] * len(rows))
    params: list[object] = []
    dal = giorno + datetime.timedelta(1)
    for consumatore_id, comune_id, saldo, episodio in rows:
        params += [comune_id, consumatore_id, dal, saldo, episodio, connection.ops.adapt_datetimefield_value(now)]
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
    """`debt_rules_apply_many` for one comune: its counts."""
    return debt_rules_apply_many(comuni=[comune], giorno=giorno, now=now, prezzi_tariffe=prezzi_tariffe)[comune.pk]


def debt_rules_apply_many(
    *,
    comuni: Sequence[Comune],
    giorno: datetime.date,
    now: datetime.datetime | None = None,
    prezzi_tariffe: dict[int, Decimal] | None = None,
) -> dict[int, dict]:
    """After the debit of `giorno`: suspend at N meals in debit, warn once at 2 meals and at low credit,
    lift suspensions whose balance is restored (>= 0). Thresholds are each comune's settings.

    Set-based over all these comuni: one grouped query finds the accounts that need something, one UPDATE
    lifts, one INSERT suspends, one INSERT stores the messages (notifiche_send_bulk, keyed once per
    episode); the loop below only writes their texts. Returns the counts per comune id."""
    from consumatori.models import Tutore
    from notifiche.services import NotificaDaInviare, notifiche_send_bulk

    now = now or timezone.now()
    by_id = {comune.pk: comune for comune in comuni}
    results = {pk: {"sospesi": 0, "avvisi_debito": 0, "avvisi_credito": 0, "riattivati": 0} for pk in by_id}
    if not comuni:
        return results
    conti = _conti(comuni=comuni, giorno=giorno)
    for comune_id, lifted in _lift_restored(giorno=giorno, now=now, conti=conti).items():
        results[comune_id]["riattivati"] = lifted
    conti = [c for c in conti
             if c.saldo < by_id[c.comune_id].soglia_credito_in_esaurimento and c.tariffa_id is not None]
    if not conti:
        return results
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_dei_comuni(comuni=comuni, giorno=giorno)
    azioni: list[tuple[Conto, str, int, str]] = []  # account, episode, meals in debit, kind
    da_sospendere: list[tuple[int, int, Decimal, str]] = []
    for conto in conti:
        comune = by_id[conto.comune_id]
        saldo = conto.saldo
        prezzo = prezzi_tariffe.get(conto.tariffa_id) or Decimal("0")
        episodio = _episodio(conto.consumatore_id, conto.ultimo_credito)
        if prezzo > 0 and saldo <= -comune.soglia_sospensione_pasti * prezzo:
            if conto.sospeso_dal is None:  # not suspended yet: once per debt episode
                da_sospendere.append((conto.consumatore_id, conto.comune_id, saldo, episodio))
                azioni.append((conto, episodio, 0, "sospesi"))
        elif prezzo > 0 and saldo <= -comune.soglia_avviso_pasti_debito * prezzo:
            azioni.append((conto, episodio, int(-saldo // prezzo), "avvisi_debito"))
        else:
            azioni.append((conto, episodio, 0, "avvisi_credito"))
    sospesi_ora = _suspend(giorno=giorno, now=now, rows=da_sospendere)
    for conto in conti:
        if conto.consumatore_id in sospesi_ora:
            results[conto.comune_id]["sospesi"] += 1
    azioni = [a for a in azioni if a[3] != "sospesi" or a[0].consumatore_id in sospesi_ora]
    if not azioni:
        return results
    # The parents to tell, with the consumer rows the texts need, in one query.
    tutori: dict[int, list] = {}
    ids: list[int] | RawSQL = [a[0].consumatore_id for a in azioni]
    if connection.vendor == "postgresql":
        # One array parameter: an IN list of 5,000 parameters cost 50-90 ms to build and send (cProfile).
        ids = RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    for tutore in Tutore.objects.filter(consumatore_id__in=ids, utente__isnull=False).select_related(
        "utente", "consumatore"
    ):
        tutori.setdefault(tutore.consumatore_id, []).append(tutore)
    messaggi: list[NotificaDaInviare] = []
    kind_of: dict[str, str] = {}
    for conto, episodio, pasti, kind in azioni:
        comune = by_id[conto.comune_id]
        for tutore in tutori.get(conto.consumatore_id, []):
            titolo, testo, chiave = _messaggio(comune, giorno, tutore.consumatore, episodio, conto.saldo, pasti, kind)
            kind_of[chiave] = kind
            messaggi.append(NotificaDaInviare(comune=comune, user=tutore.utente, consumatore=tutore.consumatore,
                                              titolo=titolo, testo=testo, chiave=chiave))
    stored = notifiche_send_bulk(messaggi)
    if stored:
        from notifiche.models import Notifica

        warned: dict[tuple[int, str], set[int]] = {}
        for chiave, consumatore_id, comune_id in Notifica.objects.filter(pk__in=stored).values_list(
                "chiave", "consumatore_id", "comune_id"):
            warned.setdefault((comune_id, kind_of[chiave]), set()).add(consumatore_id)
        for (comune_id, kind), consumatori in warned.items():
            if kind in ("avvisi_debito", "avvisi_credito"):
                results[comune_id][kind] = len(consumatori)
    return results


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
