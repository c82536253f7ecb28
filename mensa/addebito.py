"""The nightly meal debit: who ate on a day, at which price, written into the ledger in one statement."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope

from comuni.models import Comune
from consumatori.models import Classe, Consumatore
from omnibus import stamps
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .calendario import calendari_load, classi_con_servizio_q, festivo_nazionale
from .cutoff import cutoff_datetime
from .cutoff import data_it as _it
from .debiti import debt_rules_apply_many
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
from .prezzi import prezzi_dei_comuni
from .sql import in_params


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


def _presenti_sql(*, comuni: Sequence[Comune], giorno: datetime.date) -> tuple[str, dict]:
    """The rows of `presenti_queryset` (consumer, tariff, comune) of these comuni as one SELECT that reads
    the calendar itself.

    The same rules, set-based, so the nightly debit of every comune is one round trip: the class has
    service (`calendario.giorno_di_servizio`: its school's calendar covers the day on that weekday, no
    national holiday or patronal feast, no closure of the comune, the school or the class), the consumer
    is not suspended and had no absence standing at the cut-off (each comune's own hour), then the
    operators' records win. Every table is joined within one comune and filtered by the comuni given (the
    tenant scope here). Only fixed table and column names are formatted in; every value is a parameter.
    Tested against the queryset."""
    t = {m.__name__: m._meta.db_table for m in (
        IscrizioneMensa, Consumatore, Classe, CalendarioScuola, Calendario, Chiusura, Sospensione, Assenza,
        Presenza)}
    weekday = WEEKDAY_FIELDS[giorno.weekday()]
    params: dict[str, object] = {"giorno": giorno}
    ids = in_params("comune", [comune.pk for comune in comuni], params)
    # The absences standing at each comune's cut-off: one condition per cut-off hour (most share 09:00).
    # Datetimes through the backend's adapter: SQLite (make run) compares them as UTC text.
    per_cutoff: dict[object, list[int]] = {}
    for comune in comuni:
        cutoff = connection.ops.adapt_datetimefield_value(cutoff_datetime(comune=comune, giorno=giorno))
        per_cutoff.setdefault(cutoff, []).append(comune.pk)
    standing = []
    for n, (cutoff, group) in enumerate(per_cutoff.items()):
        params[f"cutoff{n}"] = cutoff
        standing.append(f"""(a.comune_id {in_params(f"k{n}_", group, params)} AND a.registrata_il <= %(cutoff{n})s
                     AND (a.annullata_il IS NULL OR a.annullata_il > %(cutoff{n})s))""")
    if weekday is None or festivo_nazionale(giorno):
        classi = "1 = 0"  # no school serves meals: only the operators' "present" records count
    else:
        classi = f"""c.classe_id IN (
            SELECT cl.id FROM {t["Classe"]} cl
            JOIN {t["CalendarioScuola"]} cs ON cs.scuola_id = cl.scuola_id AND cs.comune_id = cl.comune_id
            JOIN {t["Calendario"]} ca ON ca.id = cs.calendario_id AND ca.anno_scolastico_id = cl.anno_scolastico_id
            WHERE cl.comune_id {ids} AND cs.data_inizio <= %(giorno)s AND cs.data_fine >= %(giorno)s
              AND cs.{weekday} AND (ca.festa_patronale IS NULL OR ca.festa_patronale <> %(giorno)s)
              AND NOT EXISTS (
                  SELECT 1 FROM {t["Chiusura"]} ch
                  WHERE ch.comune_id = cl.comune_id AND ch.data_inizio <= %(giorno)s AND ch.data_fine >= %(giorno)s
                    AND (ch.classe_id = cl.id
                         OR (ch.classe_id IS NULL AND (ch.scuola_id IS NULL OR ch.scuola_id = cl.scuola_id)))))"""  # noqa: S608
    # Consumer ids are unique across comuni: the uncorrelated "not in" sets may hold every comune's rows.
    sql = f"""
        SELECT i.consumatore_id, i.tariffa_id, i.comune_id
        FROM {t["IscrizioneMensa"]} i
        JOIN {t["Consumatore"]} c ON c.id = i.consumatore_id AND c.comune_id = i.comune_id
        WHERE i.comune_id {ids} AND c.attivo AND i.data_inizio <= %(giorno)s
          AND (i.data_fine IS NULL OR i.data_fine >= %(giorno)s)
          AND ((
                {classi}
                AND i.consumatore_id NOT IN (
                    SELECT s.consumatore_id FROM {t["Sospensione"]} s
                    WHERE s.comune_id {ids} AND s.dal <= %(giorno)s AND (s.al IS NULL OR s.al >= %(giorno)s))
                AND i.consumatore_id NOT IN (
                    SELECT a.consumatore_id FROM {t["Assenza"]} a
                    WHERE a.giorno = %(giorno)s AND ({" OR ".join(standing)}))
                AND i.consumatore_id NOT IN (
                    SELECT p.consumatore_id FROM {t["Presenza"]} p
                    WHERE p.comune_id {ids} AND p.giorno = %(giorno)s AND NOT p.presente)
              ) OR i.consumatore_id IN (
                    SELECT p.consumatore_id FROM {t["Presenza"]} p
                    WHERE p.comune_id {ids} AND p.giorno = %(giorno)s AND p.presente))
    """  # noqa: S608
    return sql, params


def _meal_debit(*, comuni: Sequence[Comune], giorno: datetime.date, prezzi: dict[int, Decimal]) -> Counter[int]:
    """Debit one meal, at the tariff valid that day, to every consumer present in these comuni: one
    INSERT … SELECT that reads the calendar, absences, suspensions and operators' records itself
    (`_presenti_sql`). Returns the rows written now per comune id.

    Idempotent: the key "pasto:<day>" is unique per consumer and service, so re-runs, retries and two
    workers at once write each row once (ON CONFLICT DO NOTHING).
    """
    prezzi = {tariffa_id: importo for tariffa_id, importo in prezzi.items() if importo > 0}
    if not prezzi or not comuni:
        return Counter()
    presenti, params = _presenti_sql(comuni=comuni, giorno=giorno)
    # The day's prices as a VALUES table of (tariff, amount) rows, named column1, column2 by PostgreSQL and
    # SQLite alike (one row per tariff of every comune: a CASE would test them all for each meal, a UNION of
    # one-row SELECTs cost more to plan than to run). Amounts stay Decimal parameters.
    righe = ", ".join(f"(%(t{n})s, %(p{n})s)" for n in range(len(prezzi)))
    for n, (tariffa_id, importo) in enumerate(prezzi.items()):
        params[f"t{n}"], params[f"p{n}"] = tariffa_id, -importo
    params.update(servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO, riferimento=giorno.isoformat(),
                  descrizione=f"Pasto del {_it(giorno)}", chiave=f"pasto:{giorno.isoformat()}",
                  now=connection.ops.adapt_datetimefield_value(timezone.now()))
    # WHERE 1 = 1: SQLite needs a WHERE before ON CONFLICT when the SELECT has a join.
    sql = f"""
        INSERT INTO {Movimento._meta.db_table} ({", ".join(MOVIMENTO_COLUMNS)})
        SELECT x.comune_id, x.consumatore_id, %(servizio)s, %(tipo)s, p.column2, %(giorno)s,
               %(riferimento)s, %(descrizione)s, %(chiave)s, '', %(now)s
        FROM ({presenti}) x
        JOIN (VALUES {righe}) AS p ON p.column1 = x.tariffa_id
        WHERE 1 = 1
        ON CONFLICT (consumatore_id, servizio, chiave, data_valuta) DO NOTHING
        RETURNING comune_id
    """  # noqa: S608
    if connection.vendor == "postgresql":
        # The rows written counted per comune in the server: 94,000 returned ids cost more than counting.
        # (SQLite, make run, has no INSERT inside WITH: it returns the ids and Python counts them.)
        sql = f"WITH scritti AS ({sql}) SELECT comune_id, COUNT(*) FROM scritti GROUP BY comune_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    written = Counter({row[0]: row[1] for row in rows} if connection.vendor == "postgresql" else
                      (row[0] for row in rows))
    # INSERT … SELECT: no model signal; every family's balance moved.
    stamps.comuni_changed([comune.pk for comune in comuni])
    return written


def meal_debit_for_comuni(
    *, comuni: Sequence[Comune], giorno: datetime.date, prezzi_tariffe: dict[int, Decimal] | None = None
) -> Counter[int]:
    """Debit the day's meals of these comuni in one statement (`_meal_debit`), at the day's prices (read in
    one query when not given); returns the rows written now per comune id."""
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_dei_comuni(comuni=comuni, giorno=giorno)
    return _meal_debit(comuni=comuni, giorno=giorno, prezzi=prezzi_tariffe)


def meal_debit_for_day(
    *, comune: Comune, giorno: datetime.date, prezzi_tariffe: dict[int, Decimal] | None = None
) -> int:
    """Debit the day's meals of one comune; returns the rows written now."""
    return meal_debit_for_comuni(comuni=[comune], giorno=giorno, prezzi_tariffe=prezzi_tariffe)[comune.pk]


def meal_debit_run(*, comune: Comune, giorno: datetime.date, force: bool = False) -> dict:
    """The nightly job of one comune (`meal_debit_night` for it alone): staff's re-runs and the CLI."""
    return meal_debit_night(giorno=giorno, comuni=[comune], force=force)[0]


def comuni_del_debito() -> list[Comune]:
    """The comuni the nightly debit runs for: the active ones."""
    return list(Comune.objects.filter(attivo=True).order_by("pk"))


def meal_debit_night(*, giorno: datetime.date, comuni: Sequence[Comune] | None = None,
                     force: bool = False) -> list[dict]:
    """The nightly job of many comuni at once (every active one by default): debit the day, then
    suspensions and warnings, each set-based across them, in one transaction. Same for Celery and CLI.

    A completed run leaves a row (comune, day): a second run the same night reads those rows in one query
    and returns. `force` runs again anyway (e.g. after a late operator record); the ledger keys still make
    it write each meal once. Every query is limited to these comuni (a scope over all of them).
    """
    from .models import AddebitoEseguito

    comuni = comuni_del_debito() if comuni is None else list(comuni)
    if not comuni:
        return []
    with scope(comune=comuni):
        done = set() if force else set(
            AddebitoEseguito.objects.filter(giorno=giorno).values_list("comune_id", flat=True))
        results = {comune.pk: {
            "comune": comune.slug, "giorno": giorno.isoformat(), "pasti_addebitati": 0, "sospesi": 0,
            "avvisi_debito": 0, "avvisi_credito": 0, "riattivati": 0, "gia_eseguito": comune.pk in done,
        } for comune in comuni}
        due = [comune for comune in comuni if comune.pk not in done]
        if due:
            with scope(comune=due), transaction.atomic():
                prezzi = prezzi_dei_comuni(comuni=due, giorno=giorno)
                scritti = meal_debit_for_comuni(comuni=due, giorno=giorno, prezzi_tariffe=prezzi)
                for comune_id, rules in debt_rules_apply_many(comuni=due, giorno=giorno, prezzi_tariffe=prezzi).items():
                    results[comune_id].update(rules, pasti_addebitati=scritti[comune_id])
                # A forced re-run, or another worker finished first: the marker is there already, the ledger the same.
                AddebitoEseguito.objects.bulk_create(
                    [AddebitoEseguito(comune=comune, giorno=giorno, pasti=scritti[comune.pk]) for comune in due],
                    ignore_conflicts=True,
                )
    return [results[comune.pk] for comune in comuni]
