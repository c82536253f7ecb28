"""The ledger partitioned by school year (PostgreSQL declarative partitioning).

Why: the nightly debit writes one row per child into the ledger's per-child unique index. In one table,
after ten school years that index holds every row of every year and each night's 100,000 rows land on
100,000 different pages of it (bench_crescita: the night took 2.4 to 3 times as long as on the first
year's ledger). Partitioned by `data_valuta`, one table per school year (1 September to 31 August) with its
own indexes, the night writes into the current year's indexes only, as small after ten years as in the
first; a child's month or year is read from its year's partition.

Layout: `pagamenti_movimento` is the partitioned table; `pagamenti_movimento_aAAAA` holds the school year
that starts on 1 September AAAA; `pagamenti_movimento_altri` (DEFAULT) takes any date with no year of its
own (an opening balance dated years back, a test's date). `partizioni_prepara` (nightly beat) makes the
current and the next school year's partitions ahead of their first row, moving any rows the DEFAULT
partition already holds for that year.

The unique key is (consumatore, servizio, chiave, data_valuta): PostgreSQL requires the partition key in
every unique index of a partitioned table. It is the same key as (consumatore, servizio, chiave), because
every writer derives the day from the key itself: a meal "pasto:<day>" and its corrections on that day, a
month "mese:<YYYY-MM>" on its first day, a pagoPA credit "avviso:<n>" on the payment day of its one stored
receipt, a PuntoLIS credit "lis:<id>" on the payment day of its one stored transaction, a correction
"rettifica:<uuid>" once. `pagamenti.services.movimento_register` also serialises writers of one key on a
transaction lock, so two writers of one key can never both insert, whatever day they carry.

SQLite (`make run`) keeps one table with the same unique key.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

TABELLA = "pagamenti_movimento"
ALTRI = f"{TABELLA}_altri"


def anno_scolastico(giorno: datetime.date) -> int:
    """The school year a day belongs to, by the year it starts in (1 September)."""
    return giorno.year if giorno.month >= 9 else giorno.year - 1


def nome(anno: int) -> str:
    return f"{TABELLA}_a{anno:04d}"


def limiti(anno: int) -> tuple[datetime.date, datetime.date]:
    """The partition's range: from 1 September of `anno` (included) to 1 September of the next (excluded)."""
    return datetime.date(anno, 9, 1), datetime.date(anno + 1, 9, 1)


def partizionata() -> bool:
    """Whether the ledger is a partitioned table (PostgreSQL after migration pagamenti 0010)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABELLA])
        return cursor.fetchone() is not None


def partizioni() -> list[str]:
    """The ledger's partitions, by name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = %s::regclass ORDER BY c.relname", [TABELLA])
        return [row[0] for row in cursor.fetchall()]


def partizione_crea(anno: int) -> bool:
    """Make the school year's partition if it is missing; returns whether it was made.

    Rows of that year already in the DEFAULT partition move into it: the new table is filled first, then
    attached, all in one transaction holding the ledger against writers (SHARE ROW EXCLUSIVE: readers go on),
    so no row can be written between the move and the attachment. The indexes of the ledger are built on
    the new table when it is attached."""
    tabella = nome(anno)
    dal, al = limiti(anno)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '60s'")
        cursor.execute(f"LOCK TABLE {TABELLA} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT to_regclass(%s)", [tabella])
        if cursor.fetchone()[0] is not None:
            return False
        cursor.execute(f"CREATE TABLE {tabella} (LIKE {TABELLA} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"""WITH spostati AS (DELETE FROM {ALTRI} WHERE data_valuta >= %s AND data_valuta < %s
                                            RETURNING *)
                           INSERT INTO {tabella} SELECT * FROM spostati""", [dal, al])  # noqa: S608 - fixed names
        cursor.execute(f"ALTER TABLE {TABELLA} ATTACH PARTITION {tabella} FOR VALUES FROM (%s) TO (%s)", [dal, al])
    return True


def partizioni_prepara(oggi: datetime.date | None = None) -> list[str]:
    """The current and the next school year's partitions, made when missing; returns the names made.
    Nothing on SQLite."""
    if not partizionata():
        return []
    from django.utils import timezone

    anno = anno_scolastico(oggi or timezone.localdate())
    return [nome(a) for a in (anno, anno + 1) if partizione_crea(a)]
