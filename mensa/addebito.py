"""The nightly meal debit: who ate on a day, at which price, written into the ledger in one statement."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DateField, DateTimeField, DecimalField, Q, TextField, Value, When
from django.utils import timezone

from comuni.models import Comune
from omnibus import stamps
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .calendario import calendari_load, classi_con_servizio_q
from .cutoff import cutoff_datetime
from .cutoff import data_it as _it
from .debiti import debt_rules_apply
from .models import Assenza, IscrizioneMensa, Presenza, Sospensione
from .prezzi import prezzi_del_giorno


def presenti_queryset(*, comune: Comune, giorno: datetime.date, calendari=None):
    """Enrolment rows of the consumers who eat on `giorno`: the booking as it stood at the cut-off
    (enrolled, class with service, not suspended, no absence recorded before the cut-off), corrected by
    the operators' records. None when no school of the comune has service that day."""
    calendari = calendari or calendari_load(comune=comune, dal=giorno, al=giorno)
    servizio_q = classi_con_servizio_q(calendari, giorno, prefix="consumatore__classe__")
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


def meal_debit_for_day(
    *, comune: Comune, giorno: datetime.date, prezzi_tariffe: dict[int, Decimal] | None = None
) -> int:
    """Debit one meal, at the tariff valid that day, to every consumer present: one INSERT … SELECT.

    Idempotent: the key "pasto:<day>" is unique per consumer and service, so re-runs, retries and two
    workers at once write each row once (ON CONFLICT DO NOTHING). Returns the rows written now.
    """
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_del_giorno(comune=comune, giorno=giorno)
    prezzi = {k: v for k, v in prezzi_tariffe.items() if v > 0}
    if not prezzi:
        return 0
    queryset = presenti_queryset(comune=comune, giorno=giorno)
    now = timezone.now()
    money = DecimalField(max_digits=12, decimal_places=2)
    rows = (
        queryset.filter(tariffa_id__in=list(prezzi))
        .annotate(
            m_servizio=Value(Servizio.MENSA, output_field=TextField()),
            m_tipo=Value(TipoMovimento.PASTO, output_field=TextField()),
            m_importo=Case(
                *[When(tariffa_id=pk, then=Value(-importo, output_field=money)) for pk, importo in prezzi.items()],
                output_field=money,
            ),
            m_data=Value(giorno, output_field=DateField()),
            m_riferimento=Value(giorno.isoformat(), output_field=TextField()),
            m_descrizione=Value(f"Pasto del {_it(giorno)}", output_field=TextField()),
            m_chiave=Value(f"pasto:{giorno.isoformat()}", output_field=TextField()),
            m_motivo=Value("", output_field=TextField()),
            m_creato=Value(now, output_field=DateTimeField()),
        )
        .values_list(
            "comune_id", "consumatore_id", "m_servizio", "m_tipo", "m_importo", "m_data", "m_riferimento",
            "m_descrizione", "m_chiave", "m_motivo", "m_creato",
        )
        .order_by()
    )
    select_sql, params = rows.query.get_compiler(connection=connection).as_sql()
    table = Movimento._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(MOVIMENTO_COLUMNS)}) {select_sql} "
        "ON CONFLICT (consumatore_id, servizio, chiave) DO NOTHING"
    )
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
        try:
            with transaction.atomic():
                AddebitoEseguito.objects.create(comune=comune, giorno=giorno, pasti=scritti)
        except IntegrityError:
            pass  # a forced re-run, or another worker finished first: the ledger is the same
    return result
