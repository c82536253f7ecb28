"""The nightly meal debit: who ate on a day, at which price, written into the ledger in one statement."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from comuni.models import Comune
from consumatori.models import Classe, Consumatore
from omnibus import stamps
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .calendario import calendari_load, classi_con_servizio_q, festivo_nazionale
from .cutoff import cutoff_datetime
from .cutoff import data_it as _it
from .debiti import debt_rules_apply
from .models import (
    WEEKDAY_FIELDS,
    Assenza,
    Calendario,
    CalendarioScuola,
    Chiusura,
    IscrizioneMensa,
    Presenza,
    Sospensione,
)
from .prezzi import prezzi_del_giorno


def presenti_queryset(*, comune: Comune, giorno: datetime.date, calendari=None):
    """Enrolment rows of the consumers who eat on `giorno`: the booking as it stood at the cut-off
    (enrolled, class with service, not suspended, no absence recorded before the cut-off), corrected by
    the operators' records. None when no school of the comune has service that day."""
    calendari = calendari or calendari_load(comune=comune, dal=giorno, al=giorno)
    classi_q = classi_con_servizio_q(calendari, giorno, prefix="")
    # The classes with service, as an uncorrelated set too: no join to the class of every consumer.
    servizio_q = None if classi_q is None else Q(
        consumatore__classe_id__in=Classe.objects.filter(comune=comune).filter(classi_q).values("id")
    )
    cutoff = cutoff_datetime(comune=comune, giorno=giorno)
    # Uncorrelated "consumer in (…)" sets: PostgreSQL hashes each once instead of probing per consumer.
    sospesi = Sospensione.objects.filter(comune=comune, dal__lte=giorno).filter(
        Q(al__isnull=True) | Q(al__gte=giorno)
    ).values("consumatore_id")
    assenti = Assenza.objects.filter(comune=comune, giorno=giorno, registrata_il__lte=cutoff).filter(
        Q(annullata_il__isnull=True) | Q(annullata_il__gt=cutoff)
    ).values("consumatore_id")
    override = Presenza.objects.filter(comune=comune, giorno=giorno)
    prenotato = (
        (servizio_q if servizio_q is not None else Q(pk__in=[]))
        & ~Q(consumatore_id__in=sospesi)
        & ~Q(consumatore_id__in=assenti)
    )
    presente = (prenotato & ~Q(consumatore_id__in=override.filter(presente=False).values("consumatore_id"))) | Q(
        consumatore_id__in=override.filter(presente=True).values("consumatore_id")
    )
    return (
        # consumatore__comune lets PostgreSQL read only this comune's consumers, by index.
        IscrizioneMensa.objects.filter(
            comune=comune, data_inizio__lte=giorno, consumatore__comune=comune, consumatore__attivo=True
        )
        .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=giorno))
        .filter(presente)
    )


MOVIMENTO_COLUMNS = (
    "comune_id", "consumatore_id", "servizio", "tipo", "importo", "data_valuta", "riferimento", "descrizione",
    "chiave", "motivo", "creato_il",
)


def _presenti_sql(*, comune: Comune, giorno: datetime.date) -> tuple[str, dict]:
    """The rows of `presenti_queryset` (consumer, tariff) as one SELECT that reads the calendar itself.

    The same rules, set-based, so the nightly debit is one round trip: the class has service
    (`calendario.giorno_di_servizio`: its school's calendar covers the day on that weekday, no national
    holiday or patronal feast, no closure of the comune, the school or the class), the consumer is not
    suspended and had no absence standing at the cut-off, then the operators' records win. Only fixed
    table and column names are formatted in; every value is a parameter. Tested against the queryset."""
    t = {m.__name__: m._meta.db_table for m in (
        IscrizioneMensa, Consumatore, Classe, CalendarioScuola, Calendario, Chiusura, Sospensione, Assenza,
        Presenza)}
    weekday = WEEKDAY_FIELDS[giorno.weekday()]
    # Datetimes through the backend's adapter: SQLite (make run) compares them as UTC text.
    cutoff = connection.ops.adapt_datetimefield_value(cutoff_datetime(comune=comune, giorno=giorno))
    params = {"comune": comune.pk, "giorno": giorno, "cutoff": cutoff}
    if weekday is None or festivo_nazionale(giorno):
        classi = "1 = 0"  # no school serves meals: only the operators' "present" records count
    else:
        classi = f"""c.classe_id IN (
            SELECT cl.id FROM {t["Classe"]} cl
            JOIN {t["CalendarioScuola"]} cs ON cs.scuola_id = cl.scuola_id AND cs.comune_id = %(comune)s
            JOIN {t["Calendario"]} ca ON ca.id = cs.calendario_id AND ca.anno_scolastico_id = cl.anno_scolastico_id
            WHERE cl.comune_id = %(comune)s AND cs.data_inizio <= %(giorno)s AND cs.data_fine >= %(giorno)s
              AND cs.{weekday} AND (ca.festa_patronale IS NULL OR ca.festa_patronale <> %(giorno)s)
              AND NOT EXISTS (
                  SELECT 1 FROM {t["Chiusura"]} ch
                  WHERE ch.comune_id = %(comune)s AND ch.data_inizio <= %(giorno)s AND ch.data_fine >= %(giorno)s
                    AND (ch.classe_id = cl.id
                         OR (ch.classe_id IS NULL AND (ch.scuola_id IS NULL OR ch.scuola_id = cl.scuola_id)))))"""  # noqa: S608
    sql = f"""
        SELECT i.consumatore_id, i.tariffa_id
        FROM {t["IscrizioneMensa"]} i
        JOIN {t["Consumatore"]} c ON c.id = i.consumatore_id AND c.comune_id = %(comune)s
        WHERE i.comune_id = %(comune)s AND c.attivo AND i.data_inizio <= %(giorno)s
          AND (i.data_fine IS NULL OR i.data_fine >= %(giorno)s)
          AND ((
                {classi}
                AND i.consumatore_id NOT IN (
                    SELECT s.consumatore_id FROM {t["Sospensione"]} s
                    WHERE s.comune_id = %(comune)s AND s.dal <= %(giorno)s AND (s.al IS NULL OR s.al >= %(giorno)s))
                AND i.consumatore_id NOT IN (
                    SELECT a.consumatore_id FROM {t["Assenza"]} a
                    WHERE a.comune_id = %(comune)s AND a.giorno = %(giorno)s AND a.registrata_il <= %(cutoff)s
                      AND (a.annullata_il IS NULL OR a.annullata_il > %(cutoff)s))
                AND i.consumatore_id NOT IN (
                    SELECT p.consumatore_id FROM {t["Presenza"]} p
                    WHERE p.comune_id = %(comune)s AND p.giorno = %(giorno)s AND NOT p.presente)
              ) OR i.consumatore_id IN (
                    SELECT p.consumatore_id FROM {t["Presenza"]} p
                    WHERE p.comune_id = %(comune)s AND p.giorno = %(giorno)s AND p.presente))
    """  # noqa: S608
    return sql, params


def meal_debit_for_day(
    *, comune: Comune, giorno: datetime.date, prezzi_tariffe: dict[int, Decimal] | None = None
) -> int:
    """Debit one meal, at the tariff valid that day, to every consumer present: one INSERT … SELECT that
    reads the calendar, absences, suspensions and operators' records itself (`_presenti_sql`).

    Idempotent: the key "pasto:<day>" is unique per consumer and service, so re-runs, retries and two
    workers at once write each row once (ON CONFLICT DO NOTHING). Returns the rows written now.
    """
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_del_giorno(comune=comune, giorno=giorno)
    prezzi = {k: v for k, v in prezzi_tariffe.items() if v > 0}
    if not prezzi:
        return 0
    presenti, params = _presenti_sql(comune=comune, giorno=giorno)
    # The day's prices as a CASE over the comune's handful of tariffs (amounts stay Decimal parameters).
    cases = " ".join(f"WHEN %(t{n})s THEN %(p{n})s" for n in range(len(prezzi)))
    for n, (tariffa_id, importo) in enumerate(prezzi.items()):
        params[f"t{n}"], params[f"p{n}"] = tariffa_id, -importo
    params.update(servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO, riferimento=giorno.isoformat(),
                  descrizione=f"Pasto del {_it(giorno)}", chiave=f"pasto:{giorno.isoformat()}",
                  now=connection.ops.adapt_datetimefield_value(timezone.now()))
    tariffe = ", ".join(f"%(t{n})s" for n in range(len(prezzi)))
    sql = f"""
        INSERT INTO {Movimento._meta.db_table} ({", ".join(MOVIMENTO_COLUMNS)})
        SELECT %(comune)s, x.consumatore_id, %(servizio)s, %(tipo)s, CASE x.tariffa_id {cases} END, %(giorno)s,
               %(riferimento)s, %(descrizione)s, %(chiave)s, '', %(now)s
        FROM ({presenti}) x
        WHERE x.tariffa_id IN ({tariffe})
        ON CONFLICT (consumatore_id, servizio, chiave) DO NOTHING
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    stamps.comune_changed(comune.pk)  # INSERT … SELECT: no model signal; every family's balance moved
    return written


def meal_debit_run(*, comune: Comune, giorno: datetime.date, force: bool = False) -> dict:
    """The nightly job of one comune: debit the day, then suspensions and warnings. Same for Celery and CLI.

    A completed run leaves a row (comune, day): a second run the same night returns at once. `force`
    runs again anyway (e.g. after a late operator record); the ledger keys still make it write each meal once.
    """
    from .models import AddebitoEseguito

    result = {"comune": comune.slug, "giorno": giorno.isoformat(), "pasti_addebitati": 0, "sospesi": 0,
              "avvisi_debito": 0, "avvisi_credito": 0, "riattivati": 0, "gia_eseguito": False}
    if not force and AddebitoEseguito.objects.filter(comune=comune, giorno=giorno).exists():
        return {**result, "gia_eseguito": True}
    with transaction.atomic():
        prezzi = prezzi_del_giorno(comune=comune, giorno=giorno)
        scritti = meal_debit_for_day(comune=comune, giorno=giorno, prezzi_tariffe=prezzi)
        result.update(debt_rules_apply(comune=comune, giorno=giorno, prezzi_tariffe=prezzi), pasti_addebitati=scritti)
        # A forced re-run, or another worker finished first: the marker is there already, the ledger the same.
        AddebitoEseguito.objects.bulk_create(
            [AddebitoEseguito(comune=comune, giorno=giorno, pasti=scritti)], ignore_conflicts=True
        )
    return result
