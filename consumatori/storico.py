"""Class history: each consumer's class per school year, and the class of a past period."""

from __future__ import annotations

import datetime

from django.db import connection

from comuni.models import Comune
from omnibus import stamps

from .models import Classe, ClasseConsumatore, Consumatore


def storico_classi_sync(*, comune: Comune, consumatore_ids: list[int] | None = None) -> int:
    """Record today's class of the comune's consumers (or of some) as their class of that school year.

    One set-based upsert: a consumer moved to another class of the same year keeps one row, updated.
    Returns the rows written or changed.
    """
    table = ClasseConsumatore._meta.db_table
    params: list[object] = [comune.pk]
    only = ""
    if consumatore_ids is not None:
        if not consumatore_ids:
            return 0
        only = " AND c.id IN (" + ", ".join(["%s"] * len(consumatore_ids)) + ")"
        params.extend(consumatore_ids)
    # Table names only are formatted in; every value is a parameter.
    sql = f"""
        INSERT INTO {table} (comune_id, consumatore_id, anno_scolastico_id, classe_id)
        SELECT c.comune_id, c.id, k.anno_scolastico_id, c.classe_id
        FROM {Consumatore._meta.db_table} c JOIN {Classe._meta.db_table} k ON k.id = c.classe_id
        WHERE c.comune_id = %s{only}
        ON CONFLICT (consumatore_id, anno_scolastico_id) DO UPDATE SET classe_id = EXCLUDED.classe_id
        WHERE {table}.classe_id <> EXCLUDED.classe_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    stamps.comune_changed(comune.pk)  # raw SQL: no model signal
    return written


def classe_del_periodo(*, consumatore: Consumatore, dal: datetime.date, al: datetime.date) -> Classe | None:
    """The consumer's class during [dal, al]: today's class if its school year overlaps the period,
    else the class recorded for the school year that does, else today's class.

    No query when today's class (loaded with its school year) covers the period; one otherwise.
    """
    classe = consumatore.classe
    if classe is not None:
        anno = classe.anno_scolastico
        if anno.data_inizio <= al and anno.data_fine >= dal:
            return classe
    storico = (
        ClasseConsumatore.objects.filter(
            consumatore_id=consumatore.pk, anno_scolastico__data_inizio__lte=al, anno_scolastico__data_fine__gte=dal
        )
        .select_related("classe__scuola", "classe__anno_scolastico")
        .order_by("-anno_scolastico__data_inizio")
        .first()
    )
    return storico.classe if storico is not None else classe
