"""Writes of the school bus: enrolments, boardings and the monthly debit on the shared ledger."""

from __future__ import annotations

import calendar
import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.models import AnnoScolastico, Consumatore
from omnibus import stamps
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .models import (
    AddebitoMensilita,
    FasciaIsee,
    Fermata,
    ImpostazioniTrasporto,
    Iscrizione,
    Linea,
    Percorso,
    RegolaMeseParziale,
    Salita,
    TariffaTrasporto,
    Tratta,
)

MESE_FORMATO_ERROR = _("Il mese va indicato come AAAA-MM, per esempio 2026-04.")
SALITA_NON_ISCRITTO_ERROR = _("Il consumatore non è iscritto a questa linea per questa tratta oggi.")

MESI_IT = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"]


def month_parse(value: str) -> datetime.date:
    """"2026-04" -> 1 April 2026; anything else is a ValidationError."""
    try:
        first = datetime.datetime.strptime(value.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise ValidationError(MESE_FORMATO_ERROR) from None
    return first


def month_key(first: datetime.date) -> str:
    return f"{first:%Y-%m}"


def impostazioni_for(*, comune: Comune) -> ImpostazioniTrasporto:
    """The comune's transport settings, created with the defaults on first use."""
    impostazioni, _created = ImpostazioniTrasporto.objects.get_or_create(comune=comune)
    return impostazioni


@transaction.atomic
def iscrizione_create(
    *,
    consumatore: Consumatore,
    linea: Linea,
    fermata: Fermata,
    data_inizio: datetime.date,
    data_fine: datetime.date | None = None,
    percorso: str = Percorso.ANDATA_RITORNO,
    fascia: FasciaIsee | None = None,
    esente: bool = False,
    riduzione_fratelli: bool = False,
    riduzione_percentuale: Decimal | None = None,
    note: str = "",
) -> Iscrizione:
    """Enrol a consumer on a route at a stop; without an end date, to the end of the route's school year."""
    # Lock the consumer so two concurrent enrolments cannot both pass the overlap check.
    Consumatore.objects.select_for_update().filter(pk=consumatore.pk).first()
    iscrizione = Iscrizione(
        comune_id=consumatore.comune_id, consumatore=consumatore, linea=linea, fermata=fermata,
        percorso=percorso, data_inizio=data_inizio,
        data_fine=data_fine or linea.anno_scolastico.data_fine,
        fascia=fascia, esente=esente, riduzione_fratelli=riduzione_fratelli,
        riduzione_percentuale=riduzione_percentuale, note=note,
    )
    iscrizione.full_clean()
    iscrizione.save()
    return iscrizione


@transaction.atomic
def iscrizione_end(*, iscrizione: Iscrizione, data_fine: datetime.date) -> Iscrizione:
    """A consumer leaves the bus: the enrolment ends on that day (fees already debited stay)."""
    iscrizione.data_fine = data_fine
    iscrizione.full_clean()
    iscrizione.save(update_fields=["data_fine"])
    return iscrizione


def salita_mark(
    *, iscrizione: Iscrizione, data: datetime.date, tratta: str, salito: bool, registrata_da: User
) -> Salita | None:
    """Mark (or unmark) that a pupil boarded on a day and trip; marking twice keeps one row."""
    valid = iscrizione.data_inizio <= data <= iscrizione.data_fine and (
        iscrizione.andata if tratta == Tratta.ANDATA else iscrizione.ritorno
    )
    if not valid:
        raise ValidationError(SALITA_NON_ISCRITTO_ERROR)
    if not salito:
        Salita.objects.filter(iscrizione=iscrizione, data=data, tratta=tratta).delete()
        return None
    try:
        with transaction.atomic():
            salita, _created = Salita.objects.get_or_create(
                iscrizione=iscrizione, data=data, tratta=tratta,
                defaults={"comune_id": iscrizione.comune_id, "registrata_da": registrata_da},
            )
    except IntegrityError:
        salita = Salita.objects.get(iscrizione=iscrizione, data=data, tratta=tratta)
    return salita


@dataclass(frozen=True)
class EsitoAddebito:
    mese: str
    addebitati: int
    motivo_nessun_addebito: str = ""


def _weekdays(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def mensilita_debit(*, comune: Comune, mese: str) -> EsitoAddebito:
    """Debit one month's transport fee to every consumer enrolled in it: set-based and idempotent.

    One INSERT … SELECT writes a movement per consumer (key "mese:YYYY-MM") at the tariff valid on
    the first day of the month for the enrolment's trip kind and ISEE bracket, less the sibling
    reduction (the enrolment's computed percentage, else the tariff's for a "riduzione fratelli"
    enrolment); exempt enrolments and zero tariffs write nothing. The days before the service's
    activation date do not count. A second run, or two workers at once, add nothing
    (ON CONFLICT DO NOTHING on the ledger's unique key); a second run after which nothing it reads has
    changed (`_impronta`) returns before reading the ledger.
    """
    first = month_parse(mese)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    key = month_key(first)
    impostazioni = impostazioni_for(comune=comune)
    if first.month not in impostazioni.mesi:
        return EsitoAddebito(key, 0, "mese senza servizio")
    attivazione = comune.data_attivazione_trasporto
    if attivazione is None or attivazione > last:
        return EsitoAddebito(key, 0, "servizio non ancora attivo")
    # The period that counts: the month, from the activation date.
    inizio = max(first, attivazione)

    amount_sql = (
        # "* 1.0" keeps SQLite (make run) in decimal arithmetic; PostgreSQL stays in numeric.
        "t.importo_mensile * 1.0 * (100 - CASE WHEN i.riduzione_percentuale IS NOT NULL THEN i.riduzione_percentuale"
        " WHEN i.riduzione_fratelli THEN t.riduzione_fratelli ELSE 0 END) / 100"
    )
    params: dict[str, object] = {
        "comune_id": comune.pk, "inizio": inizio, "fine": last, "primo": first,
        "servizio": Servizio.TRASPORTO, "tipo": TipoMovimento.MENSILITA, "riferimento": key,
        "descrizione": f"Mensilità trasporto {MESI_IT[first.month - 1]} {first.year}",
        "chiave": f"mese:{key}", "data_valuta": inizio, "now": timezone.now(),
    }
    if impostazioni.regola_mese_parziale == RegolaMeseParziale.PRO_RATA:
        # Service days: Monday to Friday, inside the route's school year. The month's share is
        # (enrolled service days) / (service days of the month), summed over the enrolments.
        days = _weekdays(first, last)
        if not days:
            return EsitoAddebito(key, 0, "nessun giorno di servizio")
        day_params = {f"g{n}": day for n, day in enumerate(days)}
        params.update(day_params)
        giorni = " UNION ALL ".join(f"SELECT %({name})s AS giorno" for name in day_params)
        # Only fixed SQL fragments and parameter names are formatted in; every value is a parameter.
        amount_sql = f"""{amount_sql}
            * (SELECT COUNT(*) FROM ({giorni}) g
               WHERE g.giorno >= i.data_inizio AND g.giorno <= i.data_fine AND g.giorno >= %(inizio)s
                 AND g.giorno >= a.data_inizio AND g.giorno <= a.data_fine)
            / (SELECT COUNT(*) FROM ({giorni}) g
               WHERE g.giorno >= a.data_inizio AND g.giorno <= a.data_fine)"""  # noqa: S608
        aggregate = "SUM"
        # The route's school year bounds the service days: joined only here, the whole month needs none.
        anno_join = f"""
            JOIN {Linea._meta.db_table} l ON l.id = i.linea_id
            JOIN {Linea._meta.get_field("anno_scolastico").related_model._meta.db_table} a
                ON a.id = l.anno_scolastico_id"""
    else:
        # A whole month for anyone enrolled on at least one day of it; the dearest enrolment
        # counts when a consumer changed route or trip kind during the month.
        aggregate = "MAX"
        anno_join = ""

    movimento = Movimento._meta.db_table
    # Table names and fixed fragments only are formatted in; every value is a query parameter.
    # The CTE first drops the consumers already debited this month (one hash anti-join over the
    # comune's rows of the key: the comune and the month let the ledger be read by its (comune, servizio, data)
    # index, one month of it, instead of whole), so a second run prices nothing; ON CONFLICT still settles two
    # workers racing on the same rows.
    # (WITH comes after INSERT INTO: Python's sqlite3 reports no rowcount for a leading WITH.)
    sql = f"""
        INSERT INTO {movimento}
            (comune_id, consumatore_id, servizio, tipo, importo, data_valuta, riferimento, descrizione,
             chiave, creato_da_id, motivo, creato_il)
        WITH da_addebitare AS MATERIALIZED (
            SELECT i.consumatore_id, i.linea_id, i.percorso, i.fascia_id, i.riduzione_fratelli,
                   i.riduzione_percentuale, i.data_inizio, i.data_fine
            FROM {Iscrizione._meta.db_table} i
            WHERE i.comune_id = %(comune_id)s AND i.esente = FALSE
              AND i.data_inizio <= %(fine)s AND i.data_fine >= %(inizio)s
              AND NOT EXISTS (
                  SELECT 1 FROM {movimento} m
                  WHERE m.consumatore_id = i.consumatore_id AND m.servizio = %(servizio)s
                    AND m.chiave = %(chiave)s AND m.comune_id = %(comune_id)s
                    AND m.data_valuta >= %(primo)s AND m.data_valuta <= %(fine)s
              )
        )
        SELECT %(comune_id)s, x.consumatore_id, %(servizio)s, %(tipo)s, -x.importo, %(data_valuta)s,
               %(riferimento)s, %(descrizione)s, %(chiave)s, NULL, '', %(now)s
        FROM (
            SELECT i.consumatore_id, ROUND({aggregate}({amount_sql}), 2) AS importo
            FROM da_addebitare i{anno_join}
            JOIN {TariffaTrasporto._meta.db_table} t
                ON t.comune_id = %(comune_id)s AND t.percorso = i.percorso
               AND COALESCE(t.fascia_id, 0) = COALESCE(i.fascia_id, 0)
               AND t.valido_dal <= %(primo)s AND (t.valido_al IS NULL OR t.valido_al >= %(primo)s)
            GROUP BY i.consumatore_id
        ) x
        WHERE x.importo > 0
        ON CONFLICT (consumatore_id, servizio, chiave, data_valuta) DO NOTHING
    """  # noqa: S608
    # What the debit reads, fingerprinted before it reads it: the same fingerprint on a later run means that
    # nothing the fees depend on has changed since a complete run, and the ledger is not read at all.
    impronta = _impronta(comune=comune, inizio=inizio)
    if impronta is not None and AddebitoMensilita.objects.filter(comune=comune, mese=key, impronta=impronta).exists():
        return EsitoAddebito(key, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
        if impronta is not None:
            cursor.execute(
                f"INSERT INTO {AddebitoMensilita._meta.db_table} (comune_id, mese, impronta, eseguito_il) "  # noqa: S608
                "VALUES (%s, %s, %s, %s) ON CONFLICT (comune_id, mese) "
                "DO UPDATE SET impronta = excluded.impronta, eseguito_il = excluded.eseguito_il",
                [comune.pk, key, impronta, timezone.now()],
            )
    stamps.comune_changed(comune.pk)  # INSERT … SELECT: no model signal
    return EsitoAddebito(key, max(written, 0))


def _impronta(*, comune: Comune, inizio: datetime.date) -> str | None:
    """The fingerprint of every row the month's debit reads besides the ledger, on PostgreSQL (None on SQLite,
    `make run`, where every run reads everything).

    Per table of the comune: its row count and the sum of a 64-bit hash of each row version's id, inserting
    transaction (`xmin`) and command within it (`cmin`). Any INSERT, UPDATE (a new row version, however it
    was written: save(), update(), admin, SQL; in another transaction or in the same one) or DELETE changes
    them. The ledger is not in it: it is append-only, so the fees a complete run wrote are still there. It
    is read in a statement before the debit's own, so a change committed between the two is debited by this
    run and still makes the next run's fingerprint differ (never the reverse). The settings are a row of
    these tables; the activation date, a field of the comune, counts through the first day it gives
    (`inizio`). SHA-256 of those figures and that day."""
    if connection.vendor != "postgresql":
        return None
    tables = [Iscrizione, TariffaTrasporto, Linea, AnnoScolastico, ImpostazioniTrasporto]
    versione = "hashtextextended(id::text || ':' || xmin::text || ':' || cmin::text, 0)"
    # Fixed table names only are formatted in; the comune is a parameter.
    sql = " UNION ALL ".join(
        f"SELECT {n}, COUNT(*), COALESCE(SUM({versione}), 0) FROM {model._meta.db_table} "  # noqa: S608
        "WHERE comune_id = %(comune_id)s"
        for n, model in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"comune_id": comune.pk})
        figures = sorted(cursor.fetchall())
    return hashlib.sha256(repr((figures, inizio.isoformat())).encode()).hexdigest()


def mensilita_due_today(*, comune: Comune, today: datetime.date | None = None) -> str | None:
    """The month to debit today for this comune ("YYYY-MM"), or None if today is not its debit day."""
    today = today or timezone.localdate()
    impostazioni = impostazioni_for(comune=comune)
    if today.day != impostazioni.giorno_addebito or today.month not in impostazioni.mesi:
        return None
    return month_key(today.replace(day=1))
